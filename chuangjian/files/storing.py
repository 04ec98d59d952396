"""Checking and storing uploads: type by content (never by name), size limits, EXIF removal."""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Collection
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
Image.MAX_IMAGE_PIXELS = 80_000_000

DISPLAY_MAX_SIDE = 2560
THUMB_MAX_SIDE = 400
IMAGE_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp",
                 "GIF": "image/gif", "BMP": "image/bmp", "MPO": "image/jpeg"}
_OFFICE = {"word/": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                     ".docx"),
           "xl/": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx"),
           "ppt/": ("application/vnd.openxmlformats-officedocument.presentationml.presentation",
                    ".pptx")}


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
    if data.startswith(b"PK\x03\x04"):
        try:
            names = zipfile.ZipFile(io.BytesIO(data)).namelist()
        except zipfile.BadZipFile:
            return None
        for prefix, found in _OFFICE.items():
            if any(n.startswith(prefix) for n in names):
                return found
    return None


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


def _open_image(data: bytes) -> Image.Image:
    try:
        with Image.open(io.BytesIO(data)) as probe:
            probe.verify()
        image = Image.open(io.BytesIO(data))
        image.load()
    except Image.DecompressionBombError:
        raise ValidationError(_("图片尺寸过大（像素太多），请缩小后再上传"),
                              code="too_many_pixels") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ValidationError(_("不是有效的图片文件，或文件已损坏"), code="not_image") from None
    if image.format not in IMAGE_FORMATS:
        raise ValidationError(_("不支持的图片格式 %(format)s，请上传 JPEG 或 PNG")
                              % {"format": image.format}, code="format")
    # Phones record rotation in EXIF; apply it before EXIF is dropped.
    return ImageOps.exif_transpose(image)


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
        image = _open_image(data)
    except ValidationError:
        if FileKind.DOCUMENT in kinds:
            raise ValidationError(_("文件类型不支持：只能上传图片（JPEG、PNG）或 PDF、Word、Excel 文档"),
                                  code="wrong_kind") from None
        raise
    row = StoredFile(sha256=digest, kind=FileKind.IMAGE, name=filename,
                     mime=IMAGE_FORMATS[str(image.format or "JPEG")], size=len(data),
                     width=image.width, height=image.height)
    ext = {"image/png": ".png", "image/webp": ".webp", "image/gif": ".gif",
           "image/bmp": ".bmp"}.get(row.mime, ".jpg")
    row.original.save(digest + ext, ContentFile(data), save=False)
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
        return StoredFile.objects.get(sha256=row.sha256)
    return row
