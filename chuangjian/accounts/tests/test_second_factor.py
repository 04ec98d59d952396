"""The second factor (TOTP) for administration, security, audit and case roles."""

from __future__ import annotations

import datetime as dt
import re
from base64 import b32decode

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from chuangjian.audit.models import AuditEntry
from chuangjian.org.testing import PASSWORD, World
from chuangjian.web.testing import totp_code


def _password_login(username: str) -> Client:
    client = Client()
    response = client.post(reverse("web:login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def _enrol(client: Client) -> list[str]:
    html = client.get(reverse("web:otp_enrol")).content.decode()
    found = re.search(r'user-select-all">([A-Z2-7 ]+)<', html)
    assert found is not None
    key = found.group(1).replace(" ", "")
    response = client.post(reverse("web:otp_enrol"),
                           {"token": totp_code(b32decode(key + "=" * (-len(key) % 8)))})
    assert response.status_code == 200
    return re.findall(r'<span class="code">([a-z0-9]+)</span>', response.content.decode())


@pytest.mark.parametrize("persona", ["district_admin", "superuser", "caseworker", "auditor",
                                     "security_admin"])
def test_a_role_that_needs_it_is_sent_to_enrolment_after_the_password(world: World,
                                                                       persona: str) -> None:
    client = _password_login(getattr(world, persona).username)
    for url in (reverse("web:home"), reverse("web:tree"), reverse("web:audit")):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("web:otp_enrol"))


def test_roles_without_sensitive_capabilities_need_no_second_factor(world: World) -> None:
    for user in (world.community_worker, world.street_leader, world.inspector, world.readonly):
        assert _password_login(user.username).get(reverse("web:home")).status_code == 200


def test_the_api_refuses_a_session_that_has_not_passed_the_second_factor(world: World) -> None:
    response = _password_login("district_admin").get("/api/units")
    assert response.status_code == 403
    assert "动态口令" in response.json()["detail"]


def test_enrolment_shows_a_qr_code_and_binds_the_app_with_its_first_code(world: World) -> None:
    client = _password_login("district_admin")
    html = client.get(reverse("web:otp_enrol")).content.decode()
    assert "<svg" in html and "绑定动态口令" in html
    # A wrong code binds nothing.
    wrong = client.post(reverse("web:otp_enrol"), {"token": "000000"}).content.decode()
    assert "验证码不正确" in wrong
    assert not TOTPDevice.objects.filter(user=world.district_admin).exists()
    codes = _enrol(client)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert TOTPDevice.objects.get(user=world.district_admin).confirmed
    assert client.get(reverse("web:home")).status_code == 200
    assert AuditEntry.objects.filter(action="auth.otp.enrolled", actor=world.district_admin).exists()


def test_the_next_login_asks_for_the_code_and_logs_failures_and_success(world: World) -> None:
    _enrol(_password_login("caseworker"))
    client = _password_login("caseworker")
    response = client.get(reverse("web:tree"))
    assert response["Location"].startswith(reverse("web:otp_verify"))
    html = client.post(reverse("web:otp_verify"), {"token": "123456"}).content.decode()
    assert "验证码不正确或已过期" in html
    assert client.get(reverse("web:home")).status_code == 302
    device = TOTPDevice.objects.get(user=world.caseworker)
    # The person waits out the short delay django-otp imposes after a failure.
    TOTPDevice.objects.filter(pk=device.pk).update(
        last_t=-1, throttling_failure_timestamp=timezone.now() - dt.timedelta(seconds=30))
    response = client.post(reverse("web:otp_verify"),
                           {"token": totp_code(device.bin_key), "next": reverse("web:tree")})
    assert response.status_code == 302 and response["Location"] == reverse("web:tree")
    assert client.get(reverse("web:home")).status_code == 200
    actions = set(AuditEntry.objects.filter(actor=world.caseworker)
                  .values_list("action", flat=True))
    assert {"auth.otp.failed", "auth.otp.verified"} <= actions


def test_a_recovery_code_passes_once(world: World) -> None:
    codes = _enrol(_password_login("auditor"))
    first = _password_login("auditor")
    assert first.post(reverse("web:otp_verify"), {"token": codes[0]}).status_code == 302
    assert first.get(reverse("web:audit")).status_code == 200
    again = _password_login("auditor")
    assert again.post(reverse("web:otp_verify"), {"token": codes[0]}).status_code == 200
    assert StaticToken.objects.filter(device__user=world.auditor).count() == 9
    assert AuditEntry.objects.filter(action="auth.otp.recovery_used").count() == 1


def test_guessing_codes_is_slowed_down(world: World) -> None:
    _enrol(_password_login("district_admin"))
    client = _password_login("district_admin")
    for _ in range(3):
        client.post(reverse("web:otp_verify"), {"token": "111111"})
    device = TOTPDevice.objects.get(user=world.district_admin)
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)
    html = client.post(reverse("web:otp_verify"),
                       {"token": totp_code(device.bin_key)}).content.decode()
    # Even the right code waits out django-otp's growing delay after failures.
    assert "验证失败次数过多" in html


def test_the_security_administrator_resets_a_lost_authenticator(world: World) -> None:
    _enrol(_password_login("caseworker"))
    admin = world.client_for(world.security_admin)
    assert "何静" in admin.get(reverse("web:security")).content.decode()
    assert world.client_for(world.district_admin).post(
        reverse("web:security_otp_reset", args=[world.caseworker.pk])).status_code == 403
    response = admin.post(reverse("web:security_otp_reset", args=[world.caseworker.pk]))
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=world.caseworker).exists()
    client = _password_login("caseworker")
    assert client.get(reverse("web:home"))["Location"].startswith(reverse("web:otp_enrol"))
    assert AuditEntry.objects.filter(action="auth.otp.reset", actor=world.security_admin).exists()
