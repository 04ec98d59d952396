"""三员分立: the system administrator, the security administrator and the auditor."""

from __future__ import annotations

import datetime as dt

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from chuangjian.audit.actions import purge_expired_entries
from chuangjian.audit.models import AuditEntry
from chuangjian.org.scope import Cap, Scope
from chuangjian.org.testing import PASSWORD, World


def _fail_logins(username: str, times: int = 5) -> None:
    client = Client()
    for i in range(times):
        client.post(reverse("web:login"), {"username": username, "password": "wrong-pass"},
                    REMOTE_ADDR=f"10.1.0.{i + 1}")


def test_the_three_administrators_hold_separate_capabilities(world: World) -> None:
    admin, security, auditor = (Scope.for_user(u) for u in
                                (world.district_admin, world.security_admin, world.auditor))
    assert admin.allows_any(Cap.MANAGE_PEOPLE) and not admin.allows_any(Cap.VIEW_AUDIT)
    assert not admin.allows_any(Cap.MANAGE_SECURITY)
    assert security.allows_any(Cap.MANAGE_SECURITY)
    assert not security.allows_any(Cap.VIEW_AUDIT) and not security.allows_any(Cap.MANAGE_PEOPLE)
    assert auditor.allows_any(Cap.VIEW_AUDIT)
    assert not any(auditor.allows_any(c) for c in Cap if c != Cap.VIEW_AUDIT)
    superuser = Scope.for_user(world.superuser)
    assert not superuser.allows_any(Cap.VIEW_AUDIT)
    assert not superuser.allows_any(Cap.MANAGE_SECURITY)


def test_the_system_administrator_gets_403_on_the_audit_log(world: World) -> None:
    for user in (world.district_admin, world.superuser, world.security_admin):
        assert world.client_for(user).get(reverse("web:audit")).status_code == 403


def test_the_auditor_reads_login_failures_in_the_audit_log(world: World) -> None:
    _fail_logins("community_worker", times=2)
    html = world.client_for(world.auditor).get(reverse("web:audit"),
                                               {"action": "auth."}).content.decode()
    assert '<div class="audit-action">登录失败</div>' in html
    assert "10.1.0.2" in html


def _all_patterns(patterns: list, prefix: str = "") -> list[tuple[str, URLPattern]]:
    found: list[tuple[str, URLPattern]] = []
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = f"{prefix}{p.namespace}:" if p.namespace else prefix
            found += _all_patterns(p.url_patterns, ns)
        elif p.name:
            found.append((prefix + p.name, p))
    return found


# The auditor's own account pages and signing out are the only writes open to them.
OWN_ACCOUNT = {"web:password_change", "web:logout", "set_language", "web:login",
               "web:otp_enrol", "web:otp_verify", "web:otp_recovery"}


def _counts() -> dict[str, int]:
    skip = {"sessions.session", "axes.accessattempt", "axes.accesslog",
            "axes.accessfailurelog", "audit.auditentry"}
    return {m._meta.label_lower: m._default_manager.count() for m in apps.get_models()
            if m._meta.label_lower not in skip and m._meta.managed}


def test_the_auditor_cannot_post_anything(world: World) -> None:
    client = world.client_for(world.auditor)
    values = {"code": world.community.code, "pk": world.community_worker.pk}
    before, entries = _counts(), AuditEntry.objects.count()
    tried = 0
    for name, pattern in _all_patterns(get_resolver().url_patterns):
        if name in OWN_ACCOUNT or name.startswith("api"):
            continue
        kwargs = {k: values.get(k, 1) for k in pattern.pattern.converters}
        try:
            url = reverse(name, kwargs=kwargs)
        except Exception:  # noqa: S112 - a converter our sample values do not fit
            continue
        response = client.post(url, {"name": "审计员改的", "code": "AUD-1", "on": "2026-01-01"})
        tried += 1
        # Pages that ignore a POST may answer 200; what matters is that nothing changed.
        assert response.status_code in (200, 302, 400, 403, 404, 405), (url, response.status_code)
        if response.status_code == 302:
            assert "/login/" not in response["Location"], url
    assert tried > 40
    assert _counts() == before
    assert AuditEntry.objects.count() == entries


def test_the_security_administrator_unlocks_a_locked_account(world: World) -> None:
    _fail_logins("community_worker")
    client = world.client_for(world.security_admin)
    row = '<td class="fw-medium text-nowrap">张小燕</td>'
    assert row in client.get(reverse("web:security")).content.decode()
    # Neither the system administrator nor the auditor may unlock it.
    for user in (world.district_admin, world.auditor):
        other = world.client_for(user)
        assert other.post(reverse("web:security_unlock",
                                  args=[world.community_worker.pk])).status_code == 403
    response = client.post(reverse("web:security_unlock", args=[world.community_worker.pk]))
    assert response.status_code == 302
    assert row not in client.get(reverse("web:security")).content.decode()
    login = Client().post(reverse("web:login"), {"username": "community_worker",
                                                 "password": PASSWORD})
    assert login.status_code == 302
    entry = AuditEntry.objects.get(action="auth.account.unlocked")
    assert entry.actor == world.security_admin and entry.unit == world.community


def test_the_security_administrator_of_another_street_cannot_unlock(world: World) -> None:
    from chuangjian.org import actions
    from chuangjian.org.models import Role

    other = actions.create_user(actor=None, username="dh_security", full_name="东湖安全员",
                                password=None, scope=Scope.system())
    actions.add_membership(actor=None, user=other, unit=world.other_street, role=Role.SECURITY, scope=Scope.system())
    _fail_logins("community_worker")
    client = world.client_for(other)
    assert "张小燕" not in client.get(reverse("web:security")).content.decode()
    assert client.post(reverse("web:security_unlock",
                               args=[world.community_worker.pk])).status_code == 404


def test_the_purge_never_deletes_entries_younger_than_180_days(world: World) -> None:
    now = timezone.now()
    young = AuditEntry.objects.create(action="test.young")
    old = AuditEntry.objects.create(action="test.old")
    AuditEntry.objects.filter(pk=young.pk).update(created_at=now - dt.timedelta(days=179))
    AuditEntry.objects.filter(pk=old.pk).update(created_at=now - dt.timedelta(days=181))
    with pytest.raises(ValidationError):
        purge_expired_entries(scope=Scope.system(), keep_days=30)
    assert AuditEntry.objects.filter(pk=old.pk).exists()
    call_command("purge_audit", "--keep-days", "180")
    assert AuditEntry.objects.filter(pk=young.pk).exists()
    assert not AuditEntry.objects.filter(pk=old.pk).exists()
    assert AuditEntry.objects.filter(action="audit.purged").exists()


def test_only_the_system_scope_may_purge(world: World) -> None:
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        purge_expired_entries(scope=Scope.for_user(world.auditor), keep_days=400)
