"""Bad-input corpus of uploads: generated broken images, bombs and disguised documents,
each refused in Chinese with no row in the database and no file left on disk."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from benchmarks.bombs import png_of
from chuangjian.files.models import FileKind, StoredFile
from chuangjian.files.storing import store_file

pytestmark = pytest.mark.django_db


def _image(fmt: str, size: tuple[int, int] = (64, 48)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, "orange").save(out, fmt)
    return out.getvalue()


def _zip(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, data in files.items():
            z.writestr(name, data)
    return out.getvalue()


JPEG, PNG, GIF, BMP, WEBP = (_image(f) for f in ("JPEG", "PNG", "GIF", "BMP", "WEBP"))
NOT_IMAGE = "不是有效的图片文件"
WRONG_KIND = "文件类型不支持"
PIXELS = "图片尺寸过大"

# (id, bytes, accepted kinds, expected message)
IMAGE_KINDS = (FileKind.IMAGE,)
BOTH = (FileKind.IMAGE, FileKind.DOCUMENT)
DOCS = (FileKind.DOCUMENT,)
CASES: list[tuple[str, bytes, tuple[str, ...], str]] = [
    ("empty", b"", IMAGE_KINDS, "文件是空的"),
    ("one_byte", b"\xff", IMAGE_KINDS, NOT_IMAGE),
    ("exe", b"MZ\x90\x00\x03" + b"\0" * 200, IMAGE_KINDS, NOT_IMAGE),
    ("elf", b"\x7fELF" + b"\0" * 200, IMAGE_KINDS, NOT_IMAGE),
    ("html", b"<!doctype html><script>alert(1)</script>", IMAGE_KINDS, NOT_IMAGE),
    ("svg", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', IMAGE_KINDS,
     NOT_IMAGE),
    ("text", "现场照片".encode(), IMAGE_KINDS, NOT_IMAGE),
    *[(f"jpeg_cut_{n}", JPEG[:n], IMAGE_KINDS, NOT_IMAGE) for n in (2, 20, 100, 300, 600)],
    *[(f"png_cut_{n}", PNG[:n], IMAGE_KINDS, NOT_IMAGE) for n in (8, 16, 33, 50, 70)],
    *[(f"gif_cut_{n}", GIF[:n], IMAGE_KINDS, NOT_IMAGE) for n in (6, 13, 30)],
    *[(f"bmp_cut_{n}", BMP[:n], IMAGE_KINDS, NOT_IMAGE) for n in (2, 14, 40)],
    ("png_bad_crc", PNG[:29] + b"\0\0\0\0" + PNG[33:], IMAGE_KINDS, NOT_IMAGE),
    ("jpeg_header_only", b"\xff\xd8\xff\xe0" + b"\0" * 16, IMAGE_KINDS, NOT_IMAGE),
    *[(f"png_pixels_{w}x{h}", png_of(w, h), IMAGE_KINDS, PIXELS)
      for w, h in ((12000, 12000), (50001, 1000), (1000, 50001), (65535, 65535), (7100, 7100))],
    ("png_empty_idat", png_of(64, 64)[:-12], IMAGE_KINDS, NOT_IMAGE),
    ("pdf_as_photo", b"%PDF-1.7\n%%EOF", IMAGE_KINDS, "这里只能上传图片"),
    ("docx_as_photo", _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w/>"}),
     IMAGE_KINDS, "这里只能上传图片"),
    ("photo_as_document", JPEG, DOCS, "只能上传 PDF"),
    ("report_html", b"<html><body>report</body></html>", BOTH, WRONG_KIND),
    ("javascript", b"alert(document.cookie)", BOTH, WRONG_KIND),
    ("svg_document", b"<svg xmlns='http://www.w3.org/2000/svg'><script>1</script></svg>",
     BOTH, WRONG_KIND),
    ("rtf", b"{\\rtf1\\ansi hello}", BOTH, WRONG_KIND),
    ("csv", "编码,名称\n1,2\n".encode(), BOTH, WRONG_KIND),
    ("zip_of_html", _zip({"index.html": b"<script>1</script>"}), BOTH, WRONG_KIND),
    ("zip_without_content_types", _zip({"word/document.xml": b"<w/>"}), BOTH, WRONG_KIND),
    ("jar", _zip({"META-INF/MANIFEST.MF": b"Main-Class: x"}), BOTH, WRONG_KIND),
    ("ole_without_stream", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512, BOTH, WRONG_KIND),
    ("pk_only", b"PK\x03\x04" + b"\0" * 30, BOTH, WRONG_KIND),
    ("psd", b"8BPS" + b"\0" * 100, BOTH, WRONG_KIND),
    ("tiff_disguised", b"II*\x00" + b"\0" * 8, IMAGE_KINDS, NOT_IMAGE),
]


@pytest.mark.parametrize(("name", "data", "kinds", "message"), CASES, ids=[c[0] for c in CASES])
def test_a_bad_upload_is_refused_in_chinese_and_leaves_nothing(
        settings, tmp_path, name: str, data: bytes, kinds: tuple[str, ...], message: str) -> None:
    settings.MEDIA_ROOT = tmp_path
    with pytest.raises(ValidationError) as caught:
        store_file(SimpleUploadedFile(name + ".jpg", data), user=None, kinds=kinds)
    assert message in caught.value.messages[0]
    assert not StoredFile.objects.exists()
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


@pytest.mark.parametrize("limit", [1, 1024, 100_000])
def test_a_file_over_the_size_limit_is_refused_before_it_is_read(settings, tmp_path,
                                                                  limit: int) -> None:
    settings.MEDIA_ROOT = tmp_path
    with pytest.raises(ValidationError, match="文件超过"):
        store_file(SimpleUploadedFile("大.jpg", b"\xff" * (limit + 1)), user=None,
                   max_bytes=limit)
    assert not StoredFile.objects.exists()
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


@pytest.mark.parametrize("data", [JPEG, PNG, GIF, BMP, WEBP], ids=["jpeg", "png", "gif", "bmp",
                                                                     "webp"])
def test_the_good_formats_of_the_corpus_are_accepted(settings, tmp_path, data: bytes) -> None:
    settings.MEDIA_ROOT = tmp_path
    stored = store_file(SimpleUploadedFile("ok.jpg", data), user=None)
    assert stored.display.name.endswith(".jpg")
