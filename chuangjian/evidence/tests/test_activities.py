"""Recording activities: scope, bad input, photos stored once, counts fed to the assessment."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from chuangjian import sources as source_registry
from chuangjian.audit.models import AuditEntry
from chuangjian.engine.periods import Period
from chuangjian.evidence import actions
from chuangjian.evidence.models import Activity, ActivityFile
from chuangjian.evidence.sources import ActivitySource
from chuangjian.evidence.tests.conftest import YEAR, activity, kind, pdf, photo
from chuangjian.files.models import StoredFile
from chuangjian.org.scope import Scope
from chuangjian.org.testing import World

pytestmark = pytest.mark.django_db


def test_a_worker_records_an_activity_with_photos_and_a_document(world: World) -> None:
    done = activity(world.community_worker, world.community,
                    uploads=[photo("a.jpg", "red"), photo("b.jpg", "blue"), pdf()])
    assert done.attachments.count() == 3
    assert {f.kind for f in done.files.all()} == {"image", "document"}
    entry = AuditEntry.objects.get(action="evidence.activity.created")
    assert entry.unit == world.community and entry.data["files"] == 3


def test_the_same_photo_uploaded_twice_is_stored_and_linked_once(world: World) -> None:
    done = activity(world.community_worker, world.community,
                    uploads=[photo("a.jpg", "red"), photo("copy-of-a.jpg", "red")])
    assert done.attachments.count() == 1
    assert StoredFile.objects.count() == 1
    actions.update_activity(actor=world.community_worker, activity=done,
                            uploads=[photo("again.jpg", "red")], scope=Scope.for_user(world.community_worker))
    assert ActivityFile.objects.filter(activity=done).count() == 1


def test_an_activity_for_a_unit_outside_the_scope_is_refused(world: World) -> None:
    with pytest.raises(ValidationError) as error:
        activity(world.outsider, world.community)
    assert "无权为「幸福里社区」登记活动" in str(error.value)
    assert not Activity.objects.exists()


def test_a_date_in_the_future_is_refused(world: World) -> None:
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(ValidationError) as error:
        activity(world.community_worker, world.community, date=tomorrow)
    assert "活动日期不能晚于今天" in str(error.value)
    assert not Activity.objects.exists()


def test_a_file_of_the_wrong_type_is_refused_and_nothing_is_stored(world: World) -> None:
    bad = SimpleUploadedFile("virus.exe", b"MZ\x90\x00not an image", content_type="image/jpeg")
    with pytest.raises(ValidationError) as error:
        activity(world.community_worker, world.community, uploads=[photo(), bad])
    assert "「virus.exe」" in str(error.value) and "文件类型不支持" in str(error.value)
    assert not Activity.objects.exists()
    assert not StoredFile.objects.exists()


def test_a_file_too_large_is_refused(world: World, settings) -> None:
    settings.FILES_MAX_UPLOAD_BYTES = 100
    with pytest.raises(ValidationError) as error:
        activity(world.community_worker, world.community, uploads=[photo(size=(400, 300))])
    assert "文件超过" in str(error.value)
    assert not Activity.objects.exists()


def test_minutes_are_kept_for_meetings_only(world: World) -> None:
    meeting = activity(world.community_worker, world.community, code="regular_meeting",
                       title="三月例会", minutes="通报进展", attendance="两委成员", decisions="清理楼道")
    dance = activity(world.community_worker, world.community, title="舞蹈", minutes="不该保存")
    assert meeting.minutes == "通报进展" and meeting.decisions == "清理楼道"
    assert dance.minutes == ""


def test_activities_count_toward_their_elements_through_the_source(world: World) -> None:
    for month in (2, 5, 8):
        activity(world.community_worker, world.community, title=f"{month}月文体活动",
                 date=dt.date(YEAR, month, 10))
    activity(world.community_worker, world.community, code="moral_lecture", title="道德讲堂",
             date=dt.date(YEAR, 3, 1))
    source = ActivitySource()
    year = Period.year(YEAR)
    counts = source.values("cultural_sports_activities", year,
                           [world.community.pk, world.community2.pk])
    assert counts == {world.community.pk: 3.0, world.community2.pk: 0.0}
    assert source.values("moral_lecture_sessions", year, [world.community.pk]) == {
        world.community.pk: 1.0}
    assert source.values("cultural_sports_activities", Period.parse(f"{YEAR}-05"),
                         [world.community.pk]) == {world.community.pk: 1.0}
    records = source.records("cultural_sports_activities", year, world.community.pk)
    assert [r.label.split("（")[0] for r in records] == ["8月文体活动", "5月文体活动", "2月文体活动"]
    assert source_registry.source_key_for("cultural_sports_activities") == "activities"


def test_every_element_asked_together_comes_from_one_count_a_period_as_each_alone(
        world: World) -> None:
    """``values_of``: the activities are counted once a period by unit and type, and each
    element adds up its types — the same figures as asking element by element, a type
    that counts toward two elements included."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from chuangjian.evidence.builtin_types import ACTIVITY_ELEMENTS
    from chuangjian.evidence.models import ActivityType

    ActivityType.objects.create(code="volunteer_culture", name="志愿文体活动",
                                elements=["cultural_sports_activities",
                                          "moral_practice_activities"])
    for month, code in ((2, "culture_sports"), (5, "volunteer_culture"), (5, "moral_lecture"),
                        (8, "volunteer_culture")):
        activity(world.community_worker, world.community, code=code, title=f"{month}月活动",
                 date=dt.date(YEAR, month, 10))
    activity(None, world.community2, code="volunteer_culture", title="12月活动", date=dt.date(YEAR, 12, 31))
    source = ActivitySource()
    ids = [world.community.pk, world.community2.pk, world.street.pk]
    codes = sorted(ACTIVITY_ELEMENTS)
    periods = [Period.year(YEAR), Period.parse(f"{YEAR}-05"), Period.parse(f"{YEAR}Q4"),
               Period.year(YEAR - 1)]
    one_by_one = {c: [source.values(c, p, ids) for p in periods] for c in codes}
    with CaptureQueriesContext(connection) as asked:
        together = source.values_of(codes, periods, ids)
    assert together == one_by_one
    assert len([q for q in asked.captured_queries
                if '"evidence_activity"' in q["sql"]]) == len(periods)
    year = together["cultural_sports_activities"][0]
    assert year == {world.community.pk: 3.0, world.community2.pk: 1.0, world.street.pk: 0.0}
    assert together["moral_practice_activities"][0][world.community.pk] == 2.0


def test_changed_activities_mark_the_assessment_stale(world: World) -> None:
    from chuangjian.sources.testing import Marks

    heard = Marks()
    done = activity(world.community_worker, world.community, date=dt.date(YEAR, 4, 1))
    actions.update_activity(actor=world.community_worker, activity=done,
                            date=dt.date(YEAR, 6, 1), type=kind("moral_lecture"), scope=Scope.for_user(world.community_worker))
    actions.delete_activity(actor=world.community_worker, activity=done, scope=Scope.for_user(world.community_worker))
    codes = frozenset({"cultural_sports_activities"})
    assert heard() == [
        (world.community.pk, codes, dt.date(YEAR, 4, 1)),
        (world.community.pk, codes, dt.date(YEAR, 4, 1)),
        (world.community.pk, frozenset({"moral_lecture_sessions"}), dt.date(YEAR, 6, 1)),
        (world.community.pk, frozenset({"moral_lecture_sessions"}), dt.date(YEAR, 6, 1)),
    ]


def test_only_administrators_add_activity_types_and_only_countable_elements(world: World) -> None:
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        actions.save_activity_type(actor=world.street_leader, name="读书会", code="book_club", scope=Scope.for_user(world.street_leader))
    with pytest.raises(ValidationError) as error:
        actions.save_activity_type(actor=world.superuser, name="读书会", code="book_club",
                                   elements=["major_fires"], scope=Scope.for_user(world.superuser))
    assert "major_fires" in str(error.value)
    made = actions.save_activity_type(actor=world.superuser, name="读书会", code="book_club",
                                      elements=["cultural_sports_activities"], keywords=["读书"], scope=Scope.for_user(world.superuser))
    assert made.elements == ["cultural_sports_activities"] and made.order > 0


def test_a_refused_upload_leaves_none_of_the_activitys_files_on_disk(world, settings,
                                                                     tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path
    bad = SimpleUploadedFile("report.html", b"<script>alert(1)</script>")
    with pytest.raises(ValidationError, match="文件类型不支持"):
        activity(world.community_worker, world.community, uploads=[pdf(), bad])
    assert not Activity.objects.exists()
    assert not StoredFile.objects.exists()
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []
