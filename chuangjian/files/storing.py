"""Checking and storing uploads: type by content (never by name), size limits, EXIF removal."""

from __future__ import annotations

import contextlib
import contextvars
import hashlib
import io
import warnings
import zipfile
from collections.abc import Collection, Iterator
from pathlib import PurePath
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from chuangjian.files.models import FileKind, StoredFile

# Decompression bombs: a small file that unpacks to a gigantic bitmap is refused.
# Pillow only warns between its limit and twice it, so the header is checked here
# too, against the same number, before a single pixel is decoded.
IMAGE_MAX_PIXELS = int(getattr(settings, "FILES_MAX_IMAGE_PIXELS", 50_000_000))
Image.MAX_IMAGE_PIXELS = IMAGE_MAX_PIXELS

DISPLAY_MAX_SIDE = 2560
THUMB_MAX_SIDE = 400
IMAGE_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp",
                 "GIF": "image/gif", "BMP": "image/bmp", "MPO": "image/jpeg"}
_OFFICE = {"word/": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                     ".docx"),
           "xl/": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx"),
           "ppt/": ("application/vnd.openxmlformats-officedocument.presentationml.presentation",
                    ".pptx")}
# Legacy Office files are OLE2 compound documents; the stream that names the
# application is listed (UTF-16) in the directory near the start of the file.
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_OLE_STREAMS = {"WordDocument".encode("utf-16-le"): ("application/msword", ".doc"),
                "Workbook".encode("utf-16-le"): ("application/vnd.ms-excel", ".xls"),
                "Book".encode("utf-16-le"): ("application/vnd.ms-excel", ".xls"),
                "PowerPoint Document".encode("utf-16-le"): ("application/vnd.ms-powerpoint",
                                                            ".ppt")}
SUFFIXES = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png",
            "image/webp": ".webp", "image/gif": ".gif", "image/bmp": ".bmp",
            **dict(_OFFICE.values()),
            **dict(_OLE_STREAMS.values())}


def max_upload_bytes() -> int:
    return int(getattr(settings, "FILES_MAX_UPLOAD_BYTES", 20 * 1024 * 1024))


def _megabytes(n: int) -> str:
    return f"{n / 1024 / 1024:.0f} MB"


def _read(upload: IO[bytes] | Any, limit: int) -> bytes:
    if hasattr(upload, "seek"):
        upload.seek(0)
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise ValidationError(_("文件超过 %(limit)s，不能上传") % {"limit": _megabytes(limit)},
                              code="too_large")
    if not data:
        raise ValidationError(_("文件是空的"), code="empty")
    return bytes(data)


def _document_type(data: bytes) -> tuple[str, str] | None:
    if data.startswith(b"%PDF-"):
        return "application/pdf", ".pdf"
    if data.startswith(_OLE_MAGIC):
        for stream, found in _OLE_STREAMS.items():
            if stream in data:
                return found
        return None
    if data.startswith(b"PK\x03\x04"):
        try:
            names = zipfile.ZipFile(io.BytesIO(data)).namelist()
        except (zipfile.BadZipFile, ValueError, OSError):
            return None
        if "[Content_Types].xml" not in names:
            return None
        for prefix, found in _OFFICE.items():
            if any(n.startswith(prefix) for n in names):
                return found
    return None


def download_name(name: str, mime: str) -> str:
    """The file name to send: the uploader's stem with the suffix of the sniffed type.

    A PNG uploaded as ``evil.html`` downloads as ``evil.png``, so no browser or
    desktop ever treats it by the name the uploader chose.
    """
    stem = PurePath(name).stem or "file"
    return stem + SUFFIXES.get(mime, ".bin")


def _jpeg(image: Image.Image, max_side: int) -> bytes:
    copy = image.copy()
    copy.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    if copy.mode not in ("RGB", "L"):
        background = Image.new("RGB", copy.size, "white")
        rgba = copy.convert("RGBA")
        background.paste(rgba, mask=rgba.getchannel("A"))
        copy = background
    out = io.BytesIO()
    # No exif= argument: the re-encoded copy carries no EXIF at all.
    copy.save(out, "JPEG", quality=85, optimize=True, progressive=True)
    return out.getvalue()


def _too_many_pixels() -> ValidationError:
    return ValidationError(_("图片尺寸过大（超过 %(limit)s 万像素），请缩小后再上传")
                           % {"limit": IMAGE_MAX_PIXELS // 10_000}, code="too_many_pixels")


def _open_image(data: bytes) -> tuple[Image.Image, str]:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            probe = Image.open(io.BytesIO(data))
        with probe:
            # Image.open reads the header only: the size is known before decoding.
            if probe.width * probe.height > IMAGE_MAX_PIXELS:
                raise _too_many_pixels()
            probe.verify()
        image = Image.open(io.BytesIO(data))
        image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_many_pixels() from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        raise ValidationError(_("不是有效的图片文件，或文件已损坏"), code="not_image") from None
    if image.format not in IMAGE_FORMATS:
        raise ValidationError(_("不支持的图片格式 %(format)s，请上传 JPEG 或 PNG")
                              % {"format": image.format}, code="format")
    # Phones record rotation in EXIF; apply it before EXIF is dropped.
    return ImageOps.exif_transpose(image), str(image.format)


XLSX_MIME = _OFFICE["xl/"][0]


def read_checked(upload: IO[bytes] | Any, *, mimes: Collection[str],
                 max_bytes: int | None = None) -> bytes:
    """The bytes of an upload that is read once and not kept (an import file of personal
    data must not land on disk in the clear): bounded before it is read and typed by its
    content like every stored file; a Chinese ``ValidationError`` otherwise."""
    data = _read(upload, max_bytes or max_upload_bytes())
    document = _document_type(data)
    if document is None or document[0] not in mimes:
        raise ValidationError(_("文件类型不对：请上传 Excel 工作簿（.xlsx）"), code="wrong_kind")
    return data


def store_file(upload: IO[bytes] | Any, *, user: Any = None,
               kinds: Collection[str] = (FileKind.IMAGE,),
               max_bytes: int | None = None, name: str = "") -> StoredFile:
    """Check an upload and store it once by content hash; return the stored row.

    Raises ValidationError with a Chinese message when the content is not of an
    allowed kind, is empty, or is larger than ``max_bytes`` (FILES_MAX_UPLOAD_BYTES).
    Large photos are accepted and re-encoded smaller for display.
    """
    limit = max_bytes or max_upload_bytes()
    data = _read(upload, limit)
    filename = PurePath(name or getattr(upload, "name", "") or "file").name[:200]
    digest = hashlib.sha256(data).hexdigest()
    existing = StoredFile.objects.filter(sha256=digest).first()
    if existing is not None:
        return existing

    document = _document_type(data)
    if document is not None:
        if FileKind.DOCUMENT not in kinds:
            raise ValidationError(_("这里只能上传图片"), code="wrong_kind")
        mime, suffix = document
        row = StoredFile(sha256=digest, kind=FileKind.DOCUMENT, name=filename, mime=mime,
                         size=len(data))
        row.original.save(digest + suffix, ContentFile(data), save=False)
        return _save(row)

    if FileKind.IMAGE not in kinds:
        raise ValidationError(_("只能上传 PDF、Word、Excel 或 PowerPoint 文档"), code="wrong_kind")
    try:
        image, image_format = _open_image(data)
    except ValidationError as error:
        if FileKind.DOCUMENT in kinds and error.code == "not_image":
            raise ValidationError(_("文件类型不支持：只能上传图片（JPEG、PNG）或 PDF、Word、Excel 文档"),
                                  code="wrong_kind") from None
        raise
    row = StoredFile(sha256=digest, kind=FileKind.IMAGE, name=filename,
                     mime=IMAGE_FORMATS[image_format], size=len(data),
                     width=image.width, height=image.height)
    row.original.save(digest + SUFFIXES[row.mime], ContentFile(data), save=False)
    row.display.save(digest + ".jpg", ContentFile(_jpeg(image, DISPLAY_MAX_SIDE)), save=False)
    row.thumb.save(digest + ".jpg", ContentFile(_jpeg(image, THUMB_MAX_SIDE)), save=False)
    row.uploaded_by = user if getattr(user, "is_authenticated", False) else None
    return _save(row)


def _save(row: StoredFile) -> StoredFile:
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:
        # The same content uploaded at the same moment by someone else: keep theirs.
        discard_files(row)
        return StoredFile.objects.get(sha256=row.sha256)
    except BaseException:
        discard_files(row)
        raise
    written = _WRITTEN.get()
    if written is not None:
        written.append(row)
    return row


# Files written inside `discarded_on_error` blocks, so they can be removed again.
_WRITTEN: contextvars.ContextVar[list[StoredFile] | None] = contextvars.ContextVar(
    "files_written", default=None)


@contextlib.contextmanager
def discarded_on_error() -> Iterator[None]:
    """Delete the files stored inside the block when the block fails.

    A rolled-back transaction removes the rows, but not the files already written
    to storage; wrap an action's transaction in this so a refused post (a bad
    coordinate after the photos were stored) leaves nothing on disk.
    """
    written: list[StoredFile] = []
    token = _WRITTEN.set(written)
    try:
        yield
    except BaseException:
        for row in written:
            if not StoredFile.objects.filter(pk=row.pk).exists():
                discard_files(row)
        raise
    finally:
        _WRITTEN.reset(token)


def discard_files(row: StoredFile) -> None:
    """Delete the files of a row that was never (or is no longer) stored."""
    for field in (row.original, row.display, row.thumb):
        if field and field.name:
            field.storage.delete(field.name)
