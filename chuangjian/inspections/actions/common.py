"""Helpers shared by the inspection actions: photos, coordinates, source notifications."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from chuangjian.engine.periods import SHANGHAI
from chuangjian.files.models import FileKind, StoredFile
from chuangjian.files.storing import store_file
from chuangjian.sources import changed

MAX_PHOTOS = 9
# Everything this app computes for the assessment (see inspections/sources.py).
FINDING_ELEMENTS = ("problems_found", "problems_rectified", "six_disorder_problems",
                    "sanitation_problems", "key_road_stall_clusters", "new_illegal_buildings",
                    "inspection_deduction_points", "problems_recurred")
ORDER_ELEMENTS = ("rectifications_due", "rectifications_on_time")
VISIT_ELEMENTS = ("supervision_visits",)


def deny_unless(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def local_day(instant: dt.datetime) -> dt.date:
    return timezone.localtime(instant, SHANGHAI).date()


def notify(unit_id: int | None, instant: dt.datetime | None, codes: Iterable[str]) -> None:
    """Tell the assessment that this app's values for a unit and day have changed."""
    if unit_id is None or instant is None:
        return
    changed(unit_id=unit_id, element_codes=list(codes), day=local_day(instant))


def store_photos(uploads: Sequence[Any], *, user: Any, field: str = "photos",
                 required: bool = True, max_bytes: int | None = None) -> list[StoredFile]:
    """Store each upload as an image; errors name the photo (第2张照片「x.jpg」：…)."""
    if required and not uploads:
        raise ValidationError({field: _("请至少上传一张照片")})
    if len(uploads) > MAX_PHOTOS:
        raise ValidationError({field: _("照片最多 %(n)d 张") % {"n": MAX_PHOTOS}})
    stored: list[StoredFile] = []
    for index, upload in enumerate(uploads, start=1):
        if isinstance(upload, StoredFile):
            stored.append(upload)
            continue
        try:
            stored.append(store_file(upload, user=user, kinds=(FileKind.IMAGE,),
                                     max_bytes=max_bytes))
        except ValidationError as error:
            name = getattr(upload, "name", "") or ""
            raise ValidationError({field: _("第%(i)d张照片「%(name)s」：%(msg)s") % {
                "i": index, "name": name, "msg": "；".join(error.messages)}}) from None
    unique: list[StoredFile] = []
    for item in stored:
        if item not in unique:
            unique.append(item)
    return unique


def coordinates(latitude: Any, longitude: Any) -> tuple[Decimal | None, Decimal | None]:
    """Parse a pair from a form or the browser; both or neither, within range."""
    if latitude in (None, "") and longitude in (None, ""):
        return None, None
    try:
        # Bounded before parsing: a million-digit number is refused, not computed;
        # NaN and infinity parse as Decimals but are no place on earth.
        raw_lat, raw_lng = str(latitude)[:33], str(longitude)[:33]
        if len(raw_lat) > 32 or len(raw_lng) > 32:
            raise ValueError
        parsed_lat, parsed_lng = Decimal(raw_lat), Decimal(raw_lng)
        if not (parsed_lat.is_finite() and parsed_lng.is_finite()):
            raise ValueError
        lat = parsed_lat.quantize(Decimal("0.000001"))
        lng = parsed_lng.quantize(Decimal("0.000001"))
    except (InvalidOperation, ValueError):
        raise ValidationError({"latitude": _("经纬度格式不正确")}) from None
    if not (-90 <= lat <= 90 and -180 <= lng <= 180):
        raise ValidationError({"latitude": _("经纬度超出范围")})
    return lat, lng
