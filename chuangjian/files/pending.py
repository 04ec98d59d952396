"""Pending uploads: files a person chose on a form that was then refused.

A form refused for another field (a missing description, a deadline in the past)
must not make the person choose their photos again. The page stores the files
they chose (through `store_file`, checked like any upload), remembers them in the
session under the form's key, and offers them again as ticked thumbnails; the next
post sends the ticked ones back (`keep_file`), and only files remembered for that
form in this session are taken, so nobody can post someone else's file by its hash.

    kept = pending.chosen(request, key)           # still ticked from an earlier try
    try:
        act(..., photos=kept + new_uploads)
    except ValidationError:
        pending.keep(request, key, kept + new_uploads, kinds=...)
        ... render with pending.kept(request, key)
    else:
        pending.forget(request, key)

A kept file that is never used stays stored like any other unlinked upload.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest

from chuangjian.files.models import FileKind, StoredFile
from chuangjian.files.storing import store_file

SESSION_KEY = "pending_uploads"
MAX_FILES = 20   # per form
MAX_FORMS = 10   # forms remembered per session; the oldest is dropped
FIELD = "keep_file"


def _all(request: HttpRequest) -> dict[str, list[str]]:
    value = request.session.get(SESSION_KEY)
    return value if isinstance(value, dict) else {}


def _remembered(request: HttpRequest, key: str) -> list[str]:
    shas = _all(request).get(key)
    return [s for s in shas if isinstance(s, str)] if isinstance(shas, list) else []


def _rows(shas: Sequence[str]) -> list[StoredFile]:
    by_sha = {f.sha256: f for f in StoredFile.objects.filter(sha256__in=list(shas))}
    return [by_sha[s] for s in shas if s in by_sha]


def kept(request: HttpRequest, key: str) -> list[StoredFile]:
    """The files remembered for the form ``key``, in the order they were chosen."""
    return _rows(_remembered(request, key))


def chosen(request: HttpRequest, key: str) -> list[StoredFile]:
    """The remembered files the person left ticked in this post."""
    ticked = set(request.POST.getlist(FIELD)) if request.method == "POST" else set()
    return _rows([s for s in _remembered(request, key) if s in ticked])


def keep(request: HttpRequest, key: str, files: Sequence[Any], *,
         kinds: Collection[str] = (FileKind.IMAGE,), max_bytes: int | None = None) -> list[StoredFile]:
    """Store the uploads among ``files`` and remember them all for the form ``key``.

    An upload that is refused (too large, not an image) is left out: its error is the
    one the page already shows. Returns the files now remembered."""
    rows: list[StoredFile] = []
    for item in files:
        if isinstance(item, StoredFile):
            rows.append(item)
            continue
        try:
            rows.append(store_file(item, user=request.user, kinds=kinds, max_bytes=max_bytes))
        except ValidationError:
            continue
    shas = list(dict.fromkeys(r.sha256 for r in rows))[:MAX_FILES]
    every = {k: v for k, v in _all(request).items() if k != key}
    while len(every) >= MAX_FORMS:
        every.pop(next(iter(every)))
    if shas:
        every[key] = shas
    request.session[SESSION_KEY] = every
    return _rows(shas)


def forget(request: HttpRequest, key: str) -> None:
    every = _all(request)
    if key in every:
        del every[key]
        request.session[SESSION_KEY] = every
