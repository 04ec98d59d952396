"""Fixtures of the evidence tests: the built-in standards, real uploads, a past year."""

from __future__ import annotations

import datetime as dt
import functools
import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from chuangjian.evidence import actions
from chuangjian.evidence.builtin_types import ensure_builtin_types
from chuangjian.evidence.models import Activity, ActivityType
from chuangjian.org.models import Unit, User
from chuangjian.org.scope import Scope
from chuangjian.standards import actions as standards_actions
from chuangjian.standards import loader
from chuangjian.standards.models import StandardVersion

# Every test works on last year, which is wholly in the past whatever today is.
YEAR = timezone.localdate().year - 1


@functools.cache
def _builtin() -> loader.LoadResult:
    return loader.load_builtin().raise_for_errors()


@pytest.fixture(autouse=True)
def _activity_types(db: None) -> None:
    # Seeded by a migration, but a flushing (transactional) test elsewhere removes them.
    ensure_builtin_types()


@pytest.fixture
def standards(db: None) -> loader.LoadResult:
    result = _builtin()
    standards_actions.load_standards(actor=None, result=result, scope=Scope.system())
    # The tests work on last year (wholly past); let the built-in standards cover it.
    StandardVersion.objects.update(year_from=2000)
    return result


def photo(name: str = "p.jpg", color: str = "red", size: tuple[int, int] = (64, 48)
          ) -> SimpleUploadedFile:
    """A real JPEG upload; a different colour gives a different file."""
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "JPEG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def pdf(name: str = "签到表.pdf", text: bytes = b"sign-in") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4\n" + text + b"\n%%EOF\n",
                              content_type="application/pdf")


def kind(code: str) -> ActivityType:
    return ActivityType.objects.get(code=code)


def activity(actor: User | None, unit: Unit, *, code: str = "culture_sports",
             title: str = "社区广场舞展演", date: dt.date | None = None,
             uploads: list[Any] | None = None, **extra: Any) -> Activity:
    scope = Scope.system() if actor is None else Scope.for_user(actor)
    return actions.create_activity(actor=actor, scope=scope, unit=unit, type=kind(code), title=title,
                                   date=date or dt.date(YEAR, 5, 20), place="社区广场",
                                   organiser="社区文体队", participants_count=80,
                                   uploads=uploads or [], **extra)
