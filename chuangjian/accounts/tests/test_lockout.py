"""Lockout per account whatever the address; throttling per address whatever the account."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from chuangjian.audit.models import AuditEntry
from chuangjian.org.testing import PASSWORD, World


def _login(client: Client, username: str, password: str, address: str):
    return client.post(reverse("web:login"), {"username": username, "password": password},
                       REMOTE_ADDR=address)


def test_five_failures_from_five_addresses_lock_the_account_for_a_sixth_address(
        client: Client, world: World) -> None:
    for i in range(5):
        _login(client, "street_leader", "wrong-password", f"10.0.1.{i + 1}")
    response = _login(client, "street_leader", PASSWORD, "10.0.9.9")
    assert response.status_code == 429
    assert "登录失败次数过多" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_lockout_of_one_account_leaves_colleagues_at_the_same_address_alone(
        client: Client, world: World) -> None:
    for _ in range(5):
        _login(client, "street_leader", "wrong-password", "10.0.2.1")
    response = _login(client, "community_worker", PASSWORD, "10.0.2.1")
    assert response.status_code == 302


def test_an_address_that_fails_on_many_accounts_is_throttled(client: Client, world: World,
                                                              settings) -> None:
    settings.LOGIN_ADDRESS_FAILURE_RATE = "6/15m"
    names = ["street_leader", "community_worker", "inspector", "readonly", "outsider",
             "caseworker"]
    for name in names:
        assert _login(client, name, "wrong-password", "10.0.3.1").status_code == 200
    response = _login(client, "district_admin", PASSWORD, "10.0.3.1")
    assert response.status_code == 429
    # Another address is not affected.
    assert _login(Client(), "district_admin", PASSWORD, "10.0.3.2").status_code == 302


def test_failures_lockouts_and_logins_are_in_the_audit_log(client: Client, world: World) -> None:
    _login(client, "community_worker", PASSWORD, "10.0.4.1")
    client.post(reverse("web:logout"), REMOTE_ADDR="10.0.4.1")
    for _ in range(5):
        _login(client, "street_leader", "wrong-password", "10.0.4.2")
    _login(client, "nobody_here", "wrong-password", "10.0.4.3")
    actions = list(AuditEntry.objects.filter(action__startswith="auth.")
                   .order_by("id").values_list("action", "actor__username", "data__address"))
    assert ("auth.login.succeeded", "community_worker", "10.0.4.1") in actions
    assert ("auth.logout", "community_worker", "10.0.4.1") in actions
    assert actions.count(("auth.login.failed", "street_leader", "10.0.4.2")) == 5
    assert ("auth.login.locked_out", "street_leader", "10.0.4.2") in actions
    unknown = AuditEntry.objects.get(action="auth.login.failed", data__username="nobody_here")
    assert unknown.actor is None and unknown.unit is None
    # The failure is filed under the person's unit, so the auditor of that unit sees it.
    failed = AuditEntry.objects.filter(action="auth.login.failed", actor=world.street_leader)
    assert {e.unit_id for e in failed} == {world.street.pk}
