"""Uploads nothing uses any more (a photo chosen on a form that was then refused and
never sent again) are deleted after two days by ``chuangjian purge_files``; a file a
record points at, or a recent one, stays."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import timezone

from chuangjian.audit.models import AuditEntry
from chuangjian.files.actions import purge_unused_files
from chuangjian.files.models import StoredFile
from chuangjian.files.storing import store_file
from chuangjian.inspections.actions.findings import create_finding
from chuangjian.inspections.tests.conftest import category, photo, standards  # noqa: F401
from chuangjian.org.scope import Scope

pytestmark = pytest.mark.django_db


def test_an_upload_left_behind_is_purged_after_two_days_and_a_used_one_stays(
        world, standards, django_capture_on_commit_callbacks) -> None:  # noqa: F811
    now = timezone.now()
    create_finding(actor=world.inspector, scope=Scope.for_user(world.inspector),
                             unit=world.community, description="路面破损", severity="一般",
                             category=category("road_surface"), photos=[photo(color="red")],
                             now=now)
    used = StoredFile.objects.get()
    left = store_file(photo(color="blue"), user=world.inspector)
    fresh = store_file(photo(color="green"), user=world.inspector)
    StoredFile.objects.filter(pk__in=[used.pk, left.pk]).update(
        uploaded_at=now - dt.timedelta(days=3))
    path = left.original.name
    storage = left.original.storage
    assert storage.exists(path)

    out = io.StringIO()
    with pytest.raises(ValidationError, match="至少保留 2 天"):
        purge_unused_files(scope=Scope.system(), older_than=dt.timedelta(hours=12))
    with django_capture_on_commit_callbacks(execute=True):
        call_command("purge_files", stdout=out)
    assert out.getvalue().strip() == "已删除 1 个没有使用的上传文件。"
    assert set(StoredFile.objects.values_list("pk", flat=True)) == {used.pk, fresh.pk}
    assert not storage.exists(path)
    entry = AuditEntry.objects.get(action="files.purged")
    assert entry.data["deleted"] == 1 and entry.data["names"] == [left.name]


def test_only_the_command_line_may_purge(world) -> None:
    with pytest.raises(PermissionDenied):
        purge_unused_files(scope=Scope.for_user(world.district_admin))
