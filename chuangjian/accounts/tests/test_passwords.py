"""The password policy (等保 2.0 口令复杂度): length, classes, never the username."""

from __future__ import annotations

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from chuangjian.org import actions
from chuangjian.org.demo import DEMO_PASSWORD
from chuangjian.org.models import User
from chuangjian.org.scope import Scope
from chuangjian.org.testing import PASSWORD


def _messages(password: str, username: str = "zhang_san") -> list[str]:
    try:
        validate_password(password, User(username=username))
    except ValidationError as exc:
        return exc.messages
    return []


@pytest.mark.parametrize("weak", ["qingyuan", "qingyuan2026", "QINGYUAN!!", "abcdefghij",
                                  "ABCDEFGH12", "1234567890", "Aa1!Aa1!"])
def test_weak_passwords_are_refused(weak: str, db: None) -> None:
    assert _messages(weak)


def test_qingyuan_is_refused_for_being_short_and_too_simple(db: None) -> None:
    messages = _messages("qingyuan")
    assert any("10" in m for m in messages)
    assert any("至少 3 类" in m for m in messages)


def test_a_password_containing_the_username_is_refused_whatever_the_case(db: None) -> None:
    assert "密码不能包含用户名。" in _messages("X1!ZHANG_SANxyz", username="zhang_san")


@pytest.mark.parametrize("good", ["Qingyuan@2026", "shequ-2026-Chuangjian", "K7#mp2vx9q"])
def test_long_passwords_of_three_classes_pass(good: str, db: None) -> None:
    assert _messages(good) == []


def test_the_demo_and_test_passwords_pass_the_policy(db: None) -> None:
    assert _messages(DEMO_PASSWORD, username="cg_admin") == []
    assert _messages(PASSWORD, username="street_leader") == []


def test_creating_a_user_with_a_weak_password_is_refused_and_writes_nothing(db: None) -> None:
    with pytest.raises(ValidationError):
        actions.create_user(actor=None, username="wang_wu", full_name="王五", password="qingyuan", scope=Scope.system())
    assert not User.objects.filter(username="wang_wu").exists()
