"""Bad-input corpus of the public 随手拍 form: each post refused with a Chinese message,
no report, no stored file, nothing left on disk."""

from __future__ import annotations

from collections.abc import Mapping

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from benchmarks.bombs import png_of
from chuangjian.files.models import StoredFile
from chuangjian.inspections.models import CitizenReport
from chuangjian.inspections.tests.conftest import category, photo

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_counters(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    cache.clear()


def _bad(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="image/jpeg")


COORDINATES = "经纬度格式不正确"
CASES: list[tuple[str, Mapping[str, object], str]] = [
    *[(f"latitude_{n}", {"latitude": v, "longitude": "121.5"}, COORDINATES)
      for n, v in enumerate(("NaN", "nan", "inf", "-Infinity", "sNaN", "abc", "1e99999999",
                             "1" * 40, "30..5", "30,5"))],
    ("longitude_nan", {"latitude": "30.5", "longitude": "NaN"}, COORDINATES),
    ("latitude_only", {"latitude": "30.5", "longitude": ""}, COORDINATES),
    *[(f"out_of_range_{n}", {"latitude": a, "longitude": b}, "经纬度超出范围")
      for n, (a, b) in enumerate((("91", "120"), ("-90.5", "120"), ("30", "181"),
                                  ("30", "-180.1")))],
    # Checked by the form first, in Django's Chinese.
    ("no_description", {"description": "   "}, "必填项"),
    ("long_description", {"description": "问" * 501}, "包含不超过 500 字符"),
    ("no_address", {"address": ""}, "必填项"),
    ("long_address", {"address": "路" * 201}, "包含不超过 200 字符"),
    *[(f"phone_{n}", {"phone": v}, "手机号应为11位数字")
      for n, v in enumerate(("123", "1380013800a", "138001380001", "+8613800138000"))],
    ("too_many_photos", {"photos": [photo(), photo(), photo(), photo()]}, "照片最多 3 张"),
    ("html_photo", {"photos": [_bad("evil.html", b"<script>alert(1)</script>")]},
     "不是有效的图片文件"),
    ("pixel_bomb", {"photos": [_bad("bomb.png", png_of(12000, 12000))]}, "图片尺寸过大"),
    ("three_pixel_bombs", {"photos": [_bad(f"b{n}.png", png_of(12000, 12000 + n))
                                      for n in range(3)]}, "图片尺寸过大"),
    ("cut_photo", {"photos": [_bad("cut.jpg", photo().read()[:100])]}, "不是有效的图片文件"),
    ("nan_with_good_photo", {"latitude": "NaN", "longitude": "NaN", "photos": [photo()]},
     COORDINATES),
]


@pytest.mark.parametrize(("name", "fields", "message"), CASES, ids=[c[0] for c in CASES])
def test_a_malformed_report_is_refused_and_leaves_nothing(
        client, world, standards, settings, tmp_path, name: str, fields: Mapping[str, object],
        message: str) -> None:
    settings.MEDIA_ROOT = tmp_path
    data = {"key": f"corpus-{name}", "category": category("graffiti").pk,
            "description": "围墙上被喷了小广告", "address": "南门路30号", "phone": "",
            "photos": [photo()], **fields}
    response = client.post(reverse("inspections:suishoupai:new"), data,
                           REMOTE_ADDR="198.51.100.7")
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not CitizenReport.objects.exists()
    assert not StoredFile.objects.exists()
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []
