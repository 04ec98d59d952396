from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest

from chuangjian.files.access import may_open
from chuangjian.files.models import StoredFile

_VARIANTS = ("display", "thumb", "original")


@login_required
def serve(request: HttpRequest, sha256: str, variant: str) -> FileResponse:
    if variant not in _VARIANTS:
        raise Http404
    stored = StoredFile.objects.filter(sha256=sha256).first()
    if stored is None or not may_open(request.user, request.scope, stored):  # type: ignore[attr-defined]
        raise Http404
    field = getattr(stored, variant) or stored.original
    if variant != "original" and not stored.is_image:
        field = stored.original
    response = FileResponse(field.open("rb"), filename=stored.name,
                            as_attachment=not stored.is_image and stored.mime != "application/pdf")
    if variant != "original" and stored.is_image:
        response["Content-Type"] = "image/jpeg"
    response["Cache-Control"] = "private, max-age=86400"
    response["X-Content-Type-Options"] = "nosniff"
    return response
