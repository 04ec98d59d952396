"""Serving stored files: the type is the one sniffed at upload, never the name's.

Originals are always downloads (``Content-Disposition: attachment``) with
``nosniff``, so no upload can run as a page of the site. Images are shown
from their re-encoded JPEG without EXIF; an image's original (GPS position,
phone model) goes only to its uploader and to readers whose capabilities
need it (see ``access.may_open_original``), and each such read is audited.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest

from chuangjian.files.access import may_open, may_open_original, record_original_read
from chuangjian.files.models import StoredFile
from chuangjian.files.storing import download_name

_VARIANTS = ("display", "thumb", "original")


@login_required
def serve(request: HttpRequest, sha256: str, variant: str) -> FileResponse:
    if variant not in _VARIANTS:
        raise Http404
    scope = request.scope  # type: ignore[attr-defined]
    stored = StoredFile.objects.filter(sha256=sha256).first()
    if stored is None or not may_open(request.user, scope, stored):
        raise Http404
    if stored.is_image and variant != "original":
        field = getattr(stored, variant) or stored.display
        response = FileResponse(field.open("rb"), content_type="image/jpeg")
        response["Content-Disposition"] = "inline"
    else:
        if stored.is_image:
            if not may_open_original(request.user, scope, stored):
                raise Http404
            record_original_read(actor=request.user, scope=scope, stored=stored)
        response = FileResponse(stored.original.open("rb"), as_attachment=True,
                                filename=download_name(stored.name, stored.mime),
                                content_type=stored.mime)
    response["Cache-Control"] = "private, max-age=86400"
    response["X-Content-Type-Options"] = "nosniff"
    # A file is never a page: even if a browser rendered it, it could run nothing.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
