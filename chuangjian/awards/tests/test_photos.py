"""Photos sent with a nomination (推荐佐证照片) go through the files app: typed by their
content, bounded in size and number, stored once by hash and served only to the round's
organiser and the nominating unit. A refused photo refuses the whole nomination and
leaves nothing behind, neither rows nor files on disk."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from chuangjian.awards.models import Nomination, Round
from chuangjian.awards.tests.conftest import Setup
from chuangjian.files.models import StoredFile


def _photo(name: str = "家庭合影.jpg", size: tuple[int, int] = (64, 48),
           colour: tuple[int, int, int] = (30, 120, 60)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def _client(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _post(setup: Setup, photos: list[SimpleUploadedFile]) -> Any:
    Round.objects.filter(pk=setup.round.pk).update(
        nominate_until=timezone.now() + dt.timedelta(days=1))
    home = setup.families[0]
    return _client(setup.world.community_worker).post(
        reverse("awards:nominate", args=[setup.round.pk]),
        {"unit": setup.world.community.pk, "nominee": f"household:{home.pk}",
         "name": "王建国家庭", "reasons": "家庭成员坚持锻炼，参加公益劳动", "photos": photos})


def _files_on_disk(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_a_photo_sent_with_a_nomination_is_stored_and_shown_to_the_right_people(
        setup: Setup, media: Path) -> None:
    sent = _post(setup, [_photo()])
    assert sent.status_code == 302
    nomination = Nomination.objects.get()
    photo = nomination.photos.get()
    assert photo.mime == "image/jpeg" and (photo.width, photo.height) == (64, 48)
    assert len(_files_on_disk(media)) == 3  # the original, a display copy, a thumbnail
    url = reverse("files:serve", args=[photo.sha256, "display"])
    w = setup.world
    assert _client(w.street_leader).get(url).status_code == 200       # the organiser
    assert _client(w.community_worker).get(url).status_code == 200    # the nominating unit
    assert _client(w.outsider).get(url).status_code == 404            # another street
    page = _client(w.street_leader).get(reverse("awards:round", args=[setup.round.pk]))
    assert url in page.content.decode()


def test_a_photo_too_large_refuses_the_nomination_and_leaves_nothing(
        setup: Setup, media: Path, settings: Any) -> None:
    small = _photo("小.jpg")
    settings.FILES_MAX_UPLOAD_BYTES = (small.size or 0) + 10
    large = _photo("大.jpg", size=(800, 600), colour=(10, 10, 200))
    refused = _post(setup, [small, large])
    assert refused.status_code == 400
    assert "第2张照片：文件超过" in refused.content.decode()
    assert not Nomination.objects.exists() and not StoredFile.objects.exists()
    assert _files_on_disk(media) == []  # the first photo, stored before, is gone again


def test_a_file_that_is_not_a_picture_is_refused_by_its_content(setup: Setup, media: Path) -> None:
    fake = SimpleUploadedFile("照片.jpg", b"this is not a picture at all", content_type="image/jpeg")
    refused = _post(setup, [fake])
    assert refused.status_code == 400
    assert "第1张照片：不是有效的图片文件，或文件已损坏" in refused.content.decode()
    assert not Nomination.objects.exists() and _files_on_disk(media) == []


def test_at_most_nine_photos(setup: Setup, media: Path) -> None:
    refused = _post(setup, [_photo(f"{i}.jpg", colour=(i, 0, 0)) for i in range(10)])
    assert refused.status_code == 400 and "照片最多9张" in refused.content.decode()
    assert not Nomination.objects.exists() and _files_on_disk(media) == []
