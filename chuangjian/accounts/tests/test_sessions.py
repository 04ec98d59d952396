"""Own password change, the forced change, and the idle and absolute session limits."""

from __future__ import annotations

import datetime as dt

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from chuangjian.accounts.signals import SESSION_AUTH_AT, SESSION_SEEN_AT
from chuangjian.audit.models import AuditEntry
from chuangjian.org import actions
from chuangjian.org.models import User
from chuangjian.org.scope import Scope
from chuangjian.org.testing import PASSWORD, World

NEW = "Xingfuli#2027"


def _signed_in(username: str) -> Client:
    client = Client()
    response = client.post(reverse("web:login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def _shift_session(client: Client, **minutes_ago: int) -> None:
    session = client.session
    now = int(timezone.now().timestamp())
    if "seen" in minutes_ago:
        session[SESSION_SEEN_AT] = now - minutes_ago["seen"] * 60
    if "auth" in minutes_ago:
        session[SESSION_AUTH_AT] = now - minutes_ago["auth"] * 60
    session.save()


def test_a_session_idle_for_more_than_30_minutes_ends(world: World) -> None:
    client = _signed_in("street_leader")
    _shift_session(client, seen=31, auth=31)
    response = client.get(reverse("web:home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("web:login") + "?expired=1"
    assert client.get(reverse("web:home")).status_code == 302
    assert AuditEntry.objects.filter(action="auth.session.expired", actor=world.street_leader,
                                     data__reason="长时间未操作").exists()
    assert "长时间未操作" in client.get(response["Location"]).content.decode()


def test_a_session_active_within_30_minutes_stays(world: World) -> None:
    client = _signed_in("street_leader")
    _shift_session(client, seen=29, auth=29)
    assert client.get(reverse("web:home")).status_code == 200


def test_an_active_session_still_ends_12_hours_after_login(world: World) -> None:
    client = _signed_in("street_leader")
    _shift_session(client, seen=1, auth=12 * 60 + 1)
    assert client.get(reverse("web:home")).status_code == 302
    assert AuditEntry.objects.filter(action="auth.session.expired",
                                     data__reason="超过最长登录时间").exists()


def test_the_idle_limit_comes_from_the_setting(world: World, settings) -> None:
    settings.SESSION_IDLE_TIMEOUT = 5 * 60
    client = _signed_in("street_leader")
    _shift_session(client, seen=6)
    assert client.get(reverse("web:home")).status_code == 302


def test_the_user_menu_links_to_the_own_password_page(world: World) -> None:
    html = world.client_for(world.street_leader).get(reverse("web:home")).content.decode()
    assert reverse("web:password_change") in html


def test_a_person_changes_their_own_password(world: World) -> None:
    client = _signed_in("street_leader")
    response = client.post(reverse("web:password_change"), {
        "old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW})
    assert response.status_code == 302
    # Still signed in, and the new password is the one that works now.
    assert client.get(reverse("web:home")).status_code == 200
    user = User.objects.get(pk=world.street_leader.pk)
    assert user.check_password(NEW) and user.password_changed_at is not None
    assert AuditEntry.objects.filter(action="auth.password.changed", actor=user).exists()


def test_a_wrong_current_password_or_a_weak_new_one_is_refused_in_chinese(world: World) -> None:
    client = _signed_in("street_leader")
    html = client.post(reverse("web:password_change"), {
        "old_password": "not-it", "new_password1": NEW, "new_password2": NEW}).content.decode()
    assert "当前密码不正确" in html
    html = client.post(reverse("web:password_change"), {
        "old_password": PASSWORD, "new_password1": "qingyuan",
        "new_password2": "qingyuan"}).content.decode()
    assert "至少 3 类" in html
    assert User.objects.get(pk=world.street_leader.pk).check_password(PASSWORD)


def test_an_administrators_reset_forces_a_change_before_any_page(world: World) -> None:
    actions.set_user_password(actor=world.district_admin, user=world.community_worker,
                              password="Reset#20261202", scope=Scope.for_user(world.district_admin))
    client = Client()
    client.post(reverse("web:login"), {"username": "community_worker",
                                       "password": "Reset#20261202"})
    for url in (reverse("web:home"), reverse("web:tree"), reverse("reporting:inbox")):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == reverse("web:password_change")
    assert "请先修改初始密码" in client.get(reverse("web:password_change")).content.decode()
    client.post(reverse("web:password_change"), {
        "old_password": "Reset#20261202", "new_password1": NEW, "new_password2": NEW})
    assert client.get(reverse("web:home")).status_code == 200
    assert not User.objects.get(pk=world.community_worker.pk).must_change_password


def test_an_account_created_by_an_administrator_must_change_its_password(world: World) -> None:
    user = actions.create_user(actor=world.district_admin, username="new_worker",
                               full_name="新同事", password="Chushi#2026x", scope=Scope.for_user(world.district_admin))
    assert user.must_change_password
    client = Client()
    client.force_login(user)
    assert client.get(reverse("web:home"))["Location"] == reverse("web:password_change")


def test_the_absolute_limit_is_twelve_hours_by_default(settings) -> None:
    assert dt.timedelta(hours=12).total_seconds() == settings.SESSION_ABSOLUTE_AGE
    assert settings.SESSION_IDLE_TIMEOUT == 30 * 60
