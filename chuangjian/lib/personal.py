"""Personal data (个人信息保护法): ID numbers and phone numbers, checked, hashed and masked.

- ``normalise_id_number`` checks a 公民身份号码 against GB 11643 (python-stdnum's
  ``stdnum.cn.ric``: length, check digit, birth date, area code) and raises a Django
  ``ValidationError`` with a Chinese message naming what is wrong; it accepts the
  full-width digits and the lower-case ``x`` that people type.
- ``id_facts`` derives the sex and the birth date from a valid number.
- ``id_hash`` / ``phone_hash`` are keyed hashes (HMAC-SHA256 with
  ``PERSONAL_DATA_HASH_KEY``): a person is found, and made unique, by exact number
  without the number being stored in the clear.
- ``mask_id_number`` / ``mask_phone`` are what pages show to whoever may not see the
  full value: ``110***********1234``, ``138****5678``.
- ``compose_id_number`` builds a valid number from its parts (the demo's made-up
  residents; never a real person's).
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import hmac
import re
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum import numdb
from stdnum.cn import ric
from stdnum.exceptions import ValidationError as StdnumError

ID_LENGTH = 18
# Nobody alive was born before this; a number that says so was mistyped.
EARLIEST_BIRTH = datetime.date(1890, 1, 1)
_SEPARATORS = re.compile(r"[\s\-－—_.·]")
_MOBILE = re.compile(r"1[3-9]\d{9}")
_LANDLINE = re.compile(r"(0\d{2,3})?\d{7,8}")


class Sex:
    MALE = "M"
    FEMALE = "F"


@dataclass(frozen=True)
class IdFacts:
    sex: str
    birth_date: datetime.date


def _clean(value: object) -> str:
    text = unicodedata.normalize("NFKC", str(value or ""))
    return _SEPARATORS.sub("", text).upper()


def normalise_id_number(value: object, *, today: datetime.date | None = None) -> str:
    """The number in its 18-character form, or a ``ValidationError`` saying what is wrong."""
    number = _clean(value)
    if not number:
        raise ValidationError(_("请填写公民身份号码。"), code="required")
    if len(number) != ID_LENGTH:
        raise ValidationError(
            _("公民身份号码应为18位，这里是%(n)d位。") % {"n": len(number)}, code="length")
    if not number[:-1].isdigit() or not (number[-1].isdigit() or number[-1] == "X"):
        raise ValidationError(
            _("公民身份号码只能由数字组成，最后一位可以是X。"), code="format")
    if number[-1] != ric.calc_check_digit(number):
        raise ValidationError(
            _("公民身份号码的校验位不对（最后一位），请核对是否抄错。"), code="checksum")
    try:
        born = ric.get_birth_date(number)
    except StdnumError:
        raise ValidationError(
            _("公民身份号码中的出生日期 %(d)s 不存在。") % {"d": number[6:14]},
            code="birth_date") from None
    today = today or timezone.localdate()
    if born > today or born < EARLIEST_BIRTH:
        raise ValidationError(
            _("公民身份号码中的出生日期 %(d)s 不可能。") % {"d": born.isoformat()},
            code="birth_date")
    if not known_area(number[:6]):
        raise ValidationError(
            _("公民身份号码的前六位 %(a)s 不是有效的行政区划代码。") % {"a": number[:6]},
            code="area")
    return number


@functools.lru_cache(maxsize=4096)
def known_area(code: str) -> bool:
    """Whether ``code`` is a county-level division code that has existed at some time.

    ``stdnum.cn.ric.validate`` also wants the county to have existed in the birth year,
    but numbers were issued from 1984 on with the code of the place of issue: a man
    born in 1970 in 天河区 (created 1985) has a valid 440106 number. So any period counts.
    """
    info = {k: v for _part, props in numdb.get("cn/loc").info(code) for k, v in props.items()}
    return bool(info.get("province")) and bool(info.get("county"))


def is_valid_id_number(value: object) -> bool:
    try:
        normalise_id_number(value)
    except ValidationError:
        return False
    return True


def id_facts(number: str) -> IdFacts:
    """Sex (the 17th digit: odd for men) and birth date of a valid number."""
    number = _clean(number)
    return IdFacts(sex=Sex.MALE if int(number[16]) % 2 else Sex.FEMALE,
                   birth_date=ric.get_birth_date(number))


def compose_id_number(area: str, birth_date: datetime.date, sequence: int) -> str:
    """A valid number for an area code, birth date and 3-digit sequence (odd: male)."""
    if not (len(area) == 6 and area.isdigit() and 0 <= sequence <= 999):
        raise ValueError("area must be 6 digits and sequence 0..999")
    body = f"{area}{birth_date:%Y%m%d}{sequence:03d}"
    return body + ric.calc_check_digit(body + "0")


def normalise_phone(value: object) -> str:
    """Digits only (a leading +86/0086 dropped), or a ``ValidationError``."""
    phone = _clean(value).replace("(", "").replace(")", "").replace("（", "").replace("）", "")
    if phone.startswith("+86"):
        phone = phone[3:]
    elif phone.startswith("0086"):
        phone = phone[4:]
    elif phone.startswith("86") and len(phone) == 13:
        phone = phone[2:]
    if not phone:
        raise ValidationError(_("请填写联系电话。"), code="required")
    if not phone.isdigit():
        raise ValidationError(_("联系电话只能由数字组成。"), code="format")
    if phone.startswith("1"):
        if not _MOBILE.fullmatch(phone):
            raise ValidationError(
                _("手机号码应为1开头的11位数字，这里是%(n)d位。") % {"n": len(phone)},
                code="mobile")
    elif not _LANDLINE.fullmatch(phone):
        raise ValidationError(_("联系电话应为11位手机号码或带区号的固定电话。"), code="format")
    return phone


def _keyed_hash(purpose: str, value: str) -> str:
    key = settings.PERSONAL_DATA_HASH_KEY.encode()
    return hmac.new(key, f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()


def id_hash(number: str) -> str:
    """The keyed hash of a number (normalised first, so ``x`` and ``X`` hash alike)."""
    return _keyed_hash("id", _clean(number))


def phone_hash(phone: str) -> str:
    return _keyed_hash("phone", normalise_phone(phone))


def mask_id_number(number: str | None) -> str:
    """``110***********1234``: the first three and last four characters kept."""
    number = _clean(number)
    if not number:
        return ""
    if len(number) <= 7:
        return "*" * len(number)
    return number[:3] + "*" * (len(number) - 7) + number[-4:]


def mask_name(name: str | None) -> str:
    """``王**``: the surname kept, the rest starred (at least one star)."""
    name = str(name or "").strip()
    if not name:
        return ""
    return name[:1] + "*" * max(len(name) - 1, 1)


def mask_phone(phone: str | None) -> str:
    """``138****5678``: the first three and last four digits kept."""
    phone = _clean(phone)
    if not phone:
        return ""
    if len(phone) <= 7:
        return "*" * (len(phone) - 2) + phone[-2:] if len(phone) > 2 else "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]
