"""Two people on one report: a stale form never overwrites a newer submission (optimistic
locking on the version), and two first submissions at once never raise a server error —
the one whose form showed an empty report gets 「该报表已被他人更新，请刷新后再试」 on the
web and from the API, and no figure is lost."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from chuangjian.org.scope import Scope
from chuangjian.org.testing import World
from chuangjian.reporting import actions
from chuangjian.reporting.models import DataValue, Rollup, Submission

DAILY = {"t_patrols": 3, "t_found": 2, "t_fixed": 1, "t_note": "正常"}


def submit(world: World, at: dt.datetime, *, values: dict | None = None,
           expected_version: int | None = None, user: Any = None) -> actions.SubmitResult:
    return actions.submit_values(actor=user or world.community_worker, unit=world.community,
                                 dataset_code="community-day", period="2026-03-16",
                                 values=values or DAILY, now=at,
                                 expected_version=expected_version, scope=Scope.for_user(user or world.community_worker))


def patrols() -> int:
    number = DataValue.objects.get(unit__code="T-01-A-01", element__code="t_patrols").number
    assert number is not None
    return int(number)


def test_a_submission_from_a_stale_form_is_refused_and_keeps_the_newer_figures(
        world: World, standards: object, noon: dt.datetime) -> None:
    submit(world, noon, expected_version=0)
    with pytest.raises(actions.StaleReport, match="该报表已被他人更新，请刷新后再试") as caught:
        submit(world, noon, values={**DAILY, "t_patrols": 9}, expected_version=0,
               user=world.street_leader)
    assert caught.value.submission.version == 1
    assert patrols() == 3
    assert Submission.objects.get().version == 1


def test_a_submission_at_the_current_version_goes_through(world: World, standards: object,
                                                          noon: dt.datetime) -> None:
    submit(world, noon, expected_version=0)
    result = submit(world, noon, values={**DAILY, "t_patrols": 9}, expected_version=1)
    assert result.submission.version == 2 and patrols() == 9


def test_a_first_submission_that_loses_the_insert_race_becomes_a_resubmission(
        world: World, standards: object, noon: dt.datetime, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Simulates the other clerk's first submission committing between this one's
    # look-up (which found no report) and its insert.
    submit(world, noon)
    real = actions._locked_submission
    calls = []

    def first_finds_nothing(*args: Any) -> Submission | None:
        calls.append(args)
        return None if len(calls) == 1 else real(*args)

    monkeypatch.setattr(actions, "_locked_submission", first_finds_nothing)
    result = submit(world, noon, values={**DAILY, "t_patrols": 4})
    assert len(calls) == 2
    assert Submission.objects.count() == 1
    assert result.submission.version == 2 and patrols() == 4


def form_url() -> str:
    return reverse("reporting:form", args=["T-01-A-01", "community-day",
                                           timezone.localdate().isoformat()])


def post(values: dict, version: int) -> dict:
    return {**{f"v_{k}": v for k, v in values.items()}, "action": "submit",
            "version": str(version)}


def test_the_form_refuses_a_stale_submit_and_shows_both_versions(world: World,
                                                                  standards: object) -> None:
    clerk = world.client_for(world.community_worker)
    leader = world.client_for(world.street_leader)
    assert 'name="version" value="0"' in clerk.get(form_url()).content.decode()
    assert leader.post(form_url(), post({**DAILY, "t_patrols": 7}, 0)).status_code == 302

    response = clerk.post(form_url(), post({**DAILY, "t_patrols": 5}, 0))
    html = response.content.decode()
    assert response.status_code == 409
    assert "该报表已被他人更新，请刷新后再试" in html
    assert 'value="5"' in html  # yours, still in the field
    assert "对方上报：7" in html  # theirs, beside it
    assert 'name="version" value="1"' in html
    assert patrols() == 7

    # Keeping one's own version: the page now carries version 1, so submitting again wins.
    again = clerk.post(form_url(), post({**DAILY, "t_patrols": 5}, 1))
    assert again.status_code == 302 and patrols() == 5
    assert Submission.objects.get().version == 2


def test_the_api_refuses_a_stale_version_with_409(world: World, standards: object) -> None:
    client = world.client_for(world.community_worker)
    url = f"/api/reports/T-01-A-01/community-day/{timezone.localdate().isoformat()}"
    first = client.put(url, {"values": DAILY, "version": 0}, content_type="application/json")
    assert first.status_code == 200 and first.json()["version"] == 1
    stale = client.put(url, {"values": {"t_patrols": 8}, "version": 0},
                       content_type="application/json")
    assert stale.status_code == 409
    assert stale.json()["detail"] == "该报表已被他人更新，请刷新后再试"
    assert patrols() == 3


def _race(n: int, work: Any) -> list[BaseException | None]:
    """Runs ``work(i)`` in ``n`` threads, each on its own database connection."""
    outcome: list[BaseException | None] = [None] * n

    def run(i: int) -> None:
        try:
            work(i)
        except BaseException as error:
            outcome[i] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return outcome


@pytest.mark.django_db(transaction=True)
def test_two_first_submissions_at_once_make_one_report_and_no_error(
        world: World, standards: object, noon: dt.datetime, monkeypatch: pytest.MonkeyPatch
) -> None:
    if connection.vendor == "sqlite":
        pytest.skip("SQLite begins every write with BEGIN IMMEDIATE: writers never overlap")
    # Both threads have looked and found no report before either inserts one.
    barrier = threading.Barrier(2, timeout=10)
    local = threading.local()
    real_save = Submission.save

    def save(self: Submission, *args: Any, **kwargs: Any) -> None:
        if self.pk is None and not getattr(local, "waited", False):
            local.waited = True
            barrier.wait()
        real_save(self, *args, **kwargs)

    monkeypatch.setattr(Submission, "save", save)
    outcome = _race(2, lambda i: submit(world, noon))
    assert outcome == [None, None]
    sub = Submission.objects.get()
    assert sub.version == 1 and patrols() == 3
    assert Rollup.objects.filter(element__code="t_patrols", period="2026-03").get().total == 3


def _other_clerk_commits_first(monkeypatch: pytest.MonkeyPatch, world: World,
                               at: dt.datetime, period: str = "2026-03-16") -> list[Any]:
    """The other clerk's first submission commits between this one's look-up (which
    found no report) and its insert: this one's insert then loses to the unique key."""
    actions.submit_values(actor=world.street_leader, unit=world.community,
                          dataset_code="community-day", period=period, values=DAILY, now=at,
                          scope=Scope.for_user(world.street_leader))
    real = actions._locked_submission
    calls: list[Any] = []

    def first_finds_nothing(*args: Any) -> Submission | None:
        calls.append(args)
        return None if len(calls) == 1 else real(*args)

    monkeypatch.setattr(actions, "_locked_submission", first_finds_nothing)
    return calls


def test_a_first_submission_from_a_form_that_loses_the_insert_race_is_refused(
        world: World, standards: object, noon: dt.datetime, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = _other_clerk_commits_first(monkeypatch, world, noon)
    # This clerk's form showed an empty report (version 0): the winner's figures stand.
    with pytest.raises(actions.StaleReport, match="该报表已被他人更新，请刷新后再试"):
        submit(world, noon, values={**DAILY, "t_patrols": 4}, expected_version=0)
    assert len(calls) == 2
    assert Submission.objects.get().version == 1 and patrols() == 3


def test_the_web_form_and_the_api_answer_409_to_a_lost_first_submission_race(
        world: World, standards: object, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _other_clerk_commits_first(monkeypatch, world, timezone.now(),
                                       timezone.localdate().isoformat())
    clerk = world.client_for(world.community_worker)
    page = clerk.post(form_url(), post({**DAILY, "t_patrols": 5}, 0))
    assert page.status_code == 409 and len(calls) == 2
    assert "该报表已被他人更新，请刷新后再试" in page.content.decode()
    assert 'value="5"' in page.content.decode()  # the clerk's own figure is kept in the form
    assert patrols() == 3

    calls.clear()
    url = f"/api/reports/T-01-A-01/community-day/{timezone.localdate().isoformat()}"
    answer = clerk.put(url, {"values": {**DAILY, "t_patrols": 8}, "version": 0},
                       content_type="application/json")
    assert answer.status_code == 409 and len(calls) == 2
    assert answer.json()["detail"] == "该报表已被他人更新，请刷新后再试"
    assert patrols() == 3 and Submission.objects.get().version == 1
