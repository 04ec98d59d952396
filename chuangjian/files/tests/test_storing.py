"""Uploads are checked by content, stored once, and photos lose their EXIF but keep their turn."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from chuangjian.files import access
from chuangjian.files.access import register
from chuangjian.files.models import FileKind, StoredFile
from chuangjian.files.storing import store_file

pytestmark = pytest.mark.django_db


def photo(width: int = 64, height: int = 32, *, color: str = "red", exif: bool = False,
          fmt: str = "JPEG") -> bytes:
    image = Image.new("RGB", (width, height), color)
    out = io.BytesIO()
    if exif:
        tags = Image.Exif()
        tags[0x0112] = 6  # Orientation: rotate 90° clockwise to display
        tags[0x010F] = "PhoneMaker"
        image.save(out, fmt, exif=tags)
    else:
        image.save(out, fmt)
    return out.getvalue()


def upload(data: bytes, name: str = "现场.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def test_the_same_photo_is_stored_once(world) -> None:
    data = photo()
    first = store_file(upload(data), user=world.community_worker)
    second = store_file(upload(data, "again.jpg"), user=world.street_leader)
    assert first.pk == second.pk
    assert StoredFile.objects.count() == 1


def test_a_phone_photo_is_turned_upright_and_loses_its_exif(world) -> None:
    stored = store_file(upload(photo(64, 32, exif=True)), user=world.community_worker)
    with Image.open(stored.display.open("rb")) as shown:
        assert shown.size == (32, 64)
        assert not shown.getexif()
    with Image.open(stored.original.open("rb")) as original:
        assert original.getexif().get(0x010F) == "PhoneMaker"


def test_a_large_photo_is_accepted_and_shown_smaller(world) -> None:
    stored = store_file(upload(photo(4000, 3000)), user=world.community_worker)
    assert (stored.width, stored.height) == (4000, 3000)
    with Image.open(stored.display.open("rb")) as shown:
        assert max(shown.size) == 2560
    with Image.open(stored.thumb.open("rb")) as thumb:
        assert max(thumb.size) == 400


@pytest.mark.parametrize(("data", "message"), [
    (b"", "文件是空的"),
    (b"MZ\x90\x00 not an image at all", "不是有效的图片"),
    (photo()[:200], "不是有效的图片"),
])
def test_what_is_not_a_photo_is_refused_in_chinese(world, data: bytes, message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        store_file(upload(data), user=world.community_worker)
    assert message in caught.value.messages[0]
    assert not StoredFile.objects.exists()


def test_a_file_over_the_limit_is_refused(world) -> None:
    with pytest.raises(ValidationError, match="超过 1 MB"):
        store_file(upload(b"x" * (1024 * 1024 + 1)), user=world.community_worker,
                   max_bytes=1024 * 1024)


def test_documents_are_recognised_by_content_not_by_name(world) -> None:
    pdf = store_file(upload(b"%PDF-1.7\n%...", "纪要.jpg"), user=world.community_worker,
                     kinds=(FileKind.IMAGE, FileKind.DOCUMENT))
    assert pdf.kind == FileKind.DOCUMENT
    assert pdf.mime == "application/pdf"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    docx = store_file(upload(buffer.getvalue(), "方案.docx"), user=world.community_worker,
                      kinds=(FileKind.DOCUMENT,))
    assert docx.mime.endswith("wordprocessingml.document")
    with pytest.raises(ValidationError, match="只能上传图片"):
        store_file(upload(b"%PDF-1.4 other"), user=world.community_worker)
    with pytest.raises(ValidationError, match="只能上传 PDF"):
        store_file(upload(photo()), user=world.community_worker, kinds=(FileKind.DOCUMENT,))


def test_a_file_is_served_only_to_whom_a_checker_allows(client, world, monkeypatch) -> None:
    monkeypatch.setattr(access, "_CHECKERS", [])
    stored = store_file(upload(photo(color="blue")), user=world.community_worker)
    url = reverse("files:serve", args=[stored.sha256, "thumb"])
    client.force_login(world.community_worker)
    assert client.get(url).status_code == 200  # the uploader
    client.force_login(world.outsider)
    assert client.get(url).status_code == 404

    @register
    def outsider_sees_blue(user, scope, f, cap) -> bool:
        return user.pk == world.outsider.pk and f.pk == stored.pk

    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert client.get(reverse("files:serve", args=[stored.sha256, "bogus"])).status_code == 404
