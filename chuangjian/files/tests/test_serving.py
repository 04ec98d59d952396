"""Stored files are never served as pages, and originals with a location reach few."""

from __future__ import annotations

import io
from urllib.parse import quote

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image, PngImagePlugin

from chuangjian.audit.models import AuditEntry
from chuangjian.files import access
from chuangjian.files.models import FileKind, StoredFile
from chuangjian.files.storing import store_file

pytestmark = pytest.mark.django_db

SCRIPT = b"<html><body><script>alert(document.cookie)</script></body></html>"


def png_with_script() -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", SCRIPT.decode())
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "green").save(out, "PNG", pnginfo=info)
    return out.getvalue()


def jpeg_with_gps(note: str = "") -> bytes:
    exif = Image.Exif()
    if note:
        exif[0x010E] = note  # ImageDescription: a different photo, a different hash
    exif[0x0110] = "Phone X9"  # Model
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (31.0, 14.0, 5.0)
    gps[3], gps[4] = "E", (121.0, 28.0, 40.0)
    out = io.BytesIO()
    Image.new("RGB", (64, 48), "blue").save(out, "JPEG", exif=exif)
    return out.getvalue()


@pytest.fixture
def everyone_sees(monkeypatch):
    """Every file belongs to an object everywhere: only the capability asked for counts."""
    monkeypatch.setattr(access, "_CHECKERS",
                        [lambda user, scope, f, cap: scope.allows_any(cap)])


def test_a_report_html_attachment_is_refused_in_chinese(world) -> None:
    upload = SimpleUploadedFile("report.html", SCRIPT)
    with pytest.raises(ValidationError) as caught:
        store_file(upload, user=world.community_worker, kinds=(FileKind.IMAGE, FileKind.DOCUMENT))
    assert "文件类型不支持" in caught.value.messages[0]
    assert not StoredFile.objects.exists()


def test_a_png_named_evil_html_is_never_served_as_html(client, world, everyone_sees) -> None:
    stored = store_file(SimpleUploadedFile("evil.html", png_with_script()), user=None)
    assert stored.mime == "image/png"
    client.force_login(world.inspector)
    for variant in ("display", "thumb", "original"):
        response = client.get(reverse("files:serve", args=[stored.sha256, variant]))
        assert response.status_code == 200
        assert "html" not in response["Content-Type"]
        assert response["X-Content-Type-Options"] == "nosniff"
        body = b"".join(response.streaming_content)
        assert (b"<script>" in body) == (variant == "original")
    original = client.get(reverse("files:serve", args=[stored.sha256, "original"]))
    assert original["Content-Type"] == "image/png"
    assert original["Content-Disposition"].startswith("attachment")
    assert 'filename="evil.png"' in original["Content-Disposition"]
    assert "sandbox" in original["Content-Security-Policy"]


def test_an_office_document_is_downloaded_not_opened(client, world, everyone_sees) -> None:
    stored = store_file(SimpleUploadedFile("纪要.html", b"%PDF-1.7\n%%EOF"),
                        user=world.community_worker, kinds=(FileKind.DOCUMENT,))
    client.force_login(world.street_leader)
    response = client.get(reverse("files:serve", args=[stored.sha256, "display"]))
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Content-Disposition"].endswith(quote("纪要.pdf"))


def test_an_original_with_gps_is_not_served_to_a_plain_viewer(client, world,
                                                              everyone_sees) -> None:
    stored = store_file(SimpleUploadedFile("现场.jpg", jpeg_with_gps()), user=None)
    with Image.open(stored.original.open("rb")) as original:
        assert original.getexif().get_ifd(0x8825)  # the original keeps its GPS
    client.force_login(world.readonly)
    display = client.get(reverse("files:serve", args=[stored.sha256, "display"]))
    assert display.status_code == 200
    with Image.open(io.BytesIO(b"".join(display.streaming_content))) as shown:
        assert not shown.getexif()
    assert client.get(reverse("files:serve", args=[stored.sha256, "original"])).status_code == 404
    assert not AuditEntry.objects.filter(action="files.original.read").exists()


def test_an_inspector_gets_the_original_and_the_read_is_audited(client, world,
                                                                 everyone_sees) -> None:
    stored = store_file(SimpleUploadedFile("现场.jpg", jpeg_with_gps()), user=None)
    client.force_login(world.inspector)
    response = client.get(reverse("files:serve", args=[stored.sha256, "original"]))
    assert response.status_code == 200
    with Image.open(io.BytesIO(b"".join(response.streaming_content))) as original:
        assert original.getexif().get_ifd(0x8825)
    entry = AuditEntry.objects.get(action="files.original.read")
    assert entry.actor == world.inspector
    assert entry.object_id == str(stored.pk)


def test_an_uploader_may_download_their_own_original(client, world) -> None:
    stored = store_file(SimpleUploadedFile("现场.jpg", jpeg_with_gps()),
                        user=world.community_worker)
    client.force_login(world.community_worker)
    assert client.get(reverse("files:serve", args=[stored.sha256, "original"])).status_code == 200


def test_an_original_needs_inspect_at_the_photos_own_unit(client, world) -> None:
    from chuangjian.evidence.models import Activity, ActivityFile, ActivityType
    from chuangjian.org import actions
    from chuangjian.org.models import Role
    from chuangjian.org.scope import Scope

    # 东湖街道's inspector who may also read the whole district (市级 督查 often do).
    visitor = actions.create_user(actor=None, scope=Scope.system(), username="dh_inspector",
                                  full_name="东湖督查", password=None)
    for unit, role in ((world.other_street, Role.INSPECTOR), (world.district, Role.READONLY)):
        actions.add_membership(actor=None, scope=Scope.system(), user=visitor, unit=unit,
                               role=role)
    kind = ActivityType.objects.create(code="t-photo", name="测试活动")
    photos = {}
    for unit in (world.community, world.other_community):
        stored = store_file(SimpleUploadedFile(f"{unit.code}.jpg", jpeg_with_gps(unit.code)),
                            user=world.community_worker)
        activity = Activity.objects.create(unit=unit, type=kind, title="文体活动", date="2026-05-01",
                                           place="广场", organiser="社区", participants_count=20)
        ActivityFile.objects.create(activity=activity, file=stored)
        photos[unit.code] = stored
    client.force_login(visitor)

    def status(unit, variant):
        return client.get(reverse("files:serve", args=[photos[unit.code].sha256, variant])
                          ).status_code

    # 幸福里 lies in 城关街道: the visitor may look at the photo but not learn where it was taken.
    assert status(world.community, "display") == 200
    assert status(world.community, "original") == 404
    # 湖滨 is in the visitor's own 东湖街道: there the original is theirs to read, and logged.
    assert status(world.other_community, "original") == 200
    assert AuditEntry.objects.get(action="files.original.read").object_id == str(
        photos[world.other_community.code].pk)
    # Its uploader keeps it.
    client.force_login(world.community_worker)
    assert status(world.community, "original") == 200


@pytest.mark.parametrize(("name", "data", "mime"), [
    ("旧方案.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64
     + "WordDocument".encode("utf-16-le"), "application/msword"),
    ("旧台账.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64
     + "Workbook".encode("utf-16-le"), "application/vnd.ms-excel"),
])
def test_legacy_office_files_are_recognised_by_content(world, name, data, mime) -> None:
    stored = store_file(SimpleUploadedFile(name, data), user=world.community_worker,
                        kinds=(FileKind.DOCUMENT,))
    assert stored.mime == mime


def test_a_picture_above_the_pixel_limit_is_refused_before_decoding(world, settings) -> None:
    out = io.BytesIO()
    Image.new("1", (9000, 9000)).save(out, "PNG")  # 81 M pixels in a few kilobytes
    with pytest.raises(ValidationError) as caught:
        store_file(SimpleUploadedFile("大图.png", out.getvalue()), user=None)
    assert "图片尺寸过大" in caught.value.messages[0]
    assert not StoredFile.objects.exists()


def test_files_stored_in_a_failed_block_are_removed_from_disk(world, settings, tmp_path) -> None:
    from django.db import transaction

    from chuangjian.files.storing import discarded_on_error

    settings.MEDIA_ROOT = tmp_path
    with pytest.raises(RuntimeError), discarded_on_error(), transaction.atomic():
        store_file(SimpleUploadedFile("现场.jpg", jpeg_with_gps()), user=None)
        assert len([p for p in tmp_path.rglob("*") if p.is_file()]) == 3
        raise RuntimeError("a later field was wrong")
    assert not StoredFile.objects.exists()
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []
