"""Fixtures of the inspection tests: the built-in standards, photos, Shanghai times."""

from __future__ import annotations

import datetime as dt
import functools
import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from chuangjian.engine.periods import SHANGHAI
from chuangjian.inspections.actions import points as point_actions
from chuangjian.inspections.models import Point
from chuangjian.org.scope import Scope
from chuangjian.standards import actions as standards_actions
from chuangjian.standards import loader
from chuangjian.standards.models import ProblemCategory


def shanghai(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


@functools.cache
def _builtin() -> loader.LoadResult:
    return loader.load_builtin().raise_for_errors()


@pytest.fixture
def standards(db: None) -> loader.LoadResult:
    result = _builtin()
    standards_actions.load_standards(actor=None, result=result, scope=Scope.system())
    return result


def category(code: str) -> ProblemCategory:
    return ProblemCategory.objects.get(code=code)


def photo(name: str = "p.jpg", color: str | tuple[int, int, int] = "red", size: tuple[int, int] = (64, 48),
          fmt: str = "JPEG", exif: bool = False) -> SimpleUploadedFile:
    """A real image upload (a different colour gives a different file)."""
    image = Image.new("RGB", size, color)
    out = io.BytesIO()
    kwargs: dict[str, Any] = {}
    if exif:
        data = Image.Exif()
        data[0x0112] = 6  # orientation: rotated
        data[0x010F] = "PhoneMaker"
        kwargs["exif"] = data.tobytes()
    image.save(out, fmt, **kwargs)
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


@pytest.fixture
def noon() -> dt.datetime:
    return shanghai(2026, 3, 16, 12)


@pytest.fixture
def point(world: Any) -> Point:
    return point_actions.save_point(actor=None, scope=Scope.system(), unit=world.community,
                                    name="幸福里农贸市场", type="market", address="幸福路18号",
                                    responsible_unit=world.department, contact_name="王强",
                                    contact_phone="13800001111")
