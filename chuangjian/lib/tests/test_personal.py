"""ID numbers and phone numbers: checked with a Chinese reason, hashed with a key, masked."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from stdnum.cn import ric

from chuangjian.lib import personal

VALID = "11010519491231002X"  # the GB 11643 example number


def error_of(value):
    with pytest.raises(ValidationError) as info:
        personal.normalise_id_number(value, today=datetime.date(2026, 1, 1))
    return info.value


def test_a_valid_number_is_normalised_from_what_people_type():
    assert personal.normalise_id_number(VALID) == VALID
    assert personal.normalise_id_number("110105 19491231 002x") == VALID
    assert personal.normalise_id_number("１１０１０５１９４９１２３１００２Ｘ") == VALID


def test_a_wrong_check_digit_is_named():
    err = error_of("110105194912310021")
    assert err.code == "checksum"
    assert "校验位" in err.messages[0]


def test_an_impossible_birth_date_is_named_even_with_a_right_check_digit():
    body = "11010519490230002"
    number = body + ric.calc_check_digit(body + "0")
    err = error_of(number)
    assert err.code == "birth_date"
    assert "19490230" in err.messages[0]


def test_a_birth_date_in_the_future_is_refused():
    number = personal.compose_id_number("110105", datetime.date(2030, 5, 1), 11)
    assert error_of(number).code == "birth_date"


@pytest.mark.parametrize("value, n", [("1101051949123100", 16), ("11010519491231002X1", 19)])
def test_a_wrong_length_says_how_long_it_is(value, n):
    err = error_of(value)
    assert err.code == "length"
    assert f"{n}位" in err.messages[0]


def test_letters_inside_the_number_are_refused():
    assert error_of("11010519491231A02X").code == "format"


def test_an_unknown_area_code_is_refused():
    number = personal.compose_id_number("999999", datetime.date(1980, 1, 1), 11)
    assert error_of(number).code == "area"


def test_a_number_issued_after_the_birth_year_with_a_newer_area_code_is_valid():
    # 天河区 (440106) was created in 1985; people born before got numbers there too.
    number = personal.compose_id_number("440106", datetime.date(1970, 5, 5), 11)
    assert personal.normalise_id_number(number) == number


def test_an_empty_number_is_required():
    assert error_of("  ").code == "required"


def test_sex_and_birth_date_come_from_the_number():
    facts = personal.id_facts(VALID)
    assert facts == personal.IdFacts(sex="F", birth_date=datetime.date(1949, 12, 31))
    male = personal.compose_id_number("310101", datetime.date(1990, 7, 8), 123)
    assert personal.id_facts(male).sex == "M"
    assert personal.is_valid_id_number(male)


def test_the_hash_is_keyed_and_ignores_how_the_number_was_typed(settings):
    settings.PERSONAL_DATA_HASH_KEY = "key-one"
    first = personal.id_hash(VALID)
    assert first == personal.id_hash(VALID.lower())
    assert len(first) == 64 and VALID not in first
    assert personal.id_hash(VALID) != personal.phone_hash("13812345678")
    settings.PERSONAL_DATA_HASH_KEY = "key-two"
    assert personal.id_hash(VALID) != first


def test_phones_are_normalised_and_checked():
    assert personal.normalise_phone("+86 138-1234-5678") == "13812345678"
    assert personal.normalise_phone("021-6234 5678") == "02162345678"
    with pytest.raises(ValidationError) as info:
        personal.normalise_phone("1381234567")
    assert "11位" in info.value.messages[0]
    with pytest.raises(ValidationError):
        personal.normalise_phone("138abc45678")
    assert personal.phone_hash("138 1234 5678") == personal.phone_hash("13812345678")


def test_masks_keep_three_first_and_four_last_characters():
    assert personal.mask_id_number("110105194912311234") == "110***********1234"
    assert personal.mask_phone("13812345678") == "138****5678"
    assert personal.mask_id_number(None) == "" and personal.mask_phone("") == ""
    assert personal.mask_phone("12345") == "***45"
