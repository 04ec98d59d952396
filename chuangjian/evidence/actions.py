"""Every write of activities and evidence: atomic, checked against the scope, audited.

When an activity is created, changed or deleted, the assessment is told which
data elements of which unit changed (``chuangjian.sources.changed``) in the same
transaction, so 小型文体活动次数 and the scores built on it are fresh at once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from chuangjian import sources as source_registry
from chuangjian.audit.log import log_action
from chuangjian.evidence import selectors
from chuangjian.evidence.builtin_types import ACTIVITY_ELEMENTS
from chuangjian.evidence.models import (
    Activity,
    ActivityFile,
    ActivityType,
    EvidenceDocument,
    EvidenceLink,
    EvidenceWindow,
)
from chuangjian.files.models import FileKind, StoredFile
from chuangjian.files.storing import discarded_on_error, store_file
from chuangjian.lib.versions import lock_version
from chuangjian.org.models import Unit, User
from chuangjian.org.scope import Cap, Scope

# A phone takes a dozen photos of one event; more than this is a mistake.
MAX_FILES_PER_ACTIVITY = 60
ACTIVITY_FIELDS = ("title", "date", "place", "organiser", "participants_count", "participants",
                   "description", "minutes", "attendance", "decisions")


def today() -> dt.date:
    """Today in Asia/Shanghai, never the server's zone."""
    return timezone.localdate()


def _require_entry(scope: Scope, unit: Unit) -> None:
    if not scope.allows(unit, Cap.ENTER_DATA):
        raise ValidationError({"unit": _("无权为「%(unit)s」登记活动或佐证材料") % {"unit": unit.name}})


def _store_uploads(uploads: Sequence[Any], actor: User | None) -> list[StoredFile]:
    stored: list[StoredFile] = []
    errors: list[str] = []
    for upload in uploads:
        if isinstance(upload, StoredFile):   # kept from a refused form (files.pending)
            stored.append(upload)
            continue
        name = getattr(upload, "name", "") or _("文件")
        try:
            stored.append(store_file(upload, user=actor, kinds=(FileKind.IMAGE, FileKind.DOCUMENT)))
        except ValidationError as error:
            errors.append(_("「%(name)s」：%(error)s") % {"name": name, "error": "；".join(error.messages)})
    if errors:
        raise ValidationError({"files": errors})
    return stored


def _attach(activity: Activity, files: Iterable[StoredFile]) -> int:
    """Link each stored file once (the same photo uploaded twice is linked once)."""
    have = set(activity.attachments.values_list("file_id", flat=True))
    order = (activity.attachments.aggregate(m=Max("order"))["m"] or 0)
    added = 0
    for stored in files:
        if stored.pk in have:
            continue
        order += 1
        ActivityFile.objects.create(activity=activity, file=stored, order=order)
        have.add(stored.pk)
        added += 1
    if len(have) > MAX_FILES_PER_ACTIVITY:
        raise ValidationError({"files": _("一次活动最多 %(n)s 个照片和文件") % {"n": MAX_FILES_PER_ACTIVITY}})
    return added


def _check(activity: Activity) -> None:
    errors: dict[str, str] = {}
    if activity.date and activity.date > today():
        errors["date"] = _("活动日期不能晚于今天（%(today)s）") % {"today": today().isoformat()}
    if activity.unit_id and activity.date and not activity.unit.is_open_on(activity.date):
        errors["date"] = _("「%(unit)s」在 %(date)s 尚未设立或已撤销") % {
            "unit": activity.unit.name, "date": activity.date.isoformat()}
    if not activity.type.active:
        errors["type"] = _("活动类型「%(name)s」已停用") % {"name": activity.type.name}
    for name in ("title", "place", "organiser"):
        value = getattr(activity, name)
        setattr(activity, name, (value or "").strip())
    if errors:
        raise ValidationError(errors)
    activity.full_clean()
    if not activity.type.is_meeting:
        activity.minutes = activity.attendance = activity.decisions = ""


def _notify(unit_id: int, kind: ActivityType, day: dt.date) -> None:
    codes = [c for c in kind.elements if c in ACTIVITY_ELEMENTS]
    if codes:
        source_registry.changed(unit_id=unit_id, element_codes=codes, day=day)


@discarded_on_error()
@transaction.atomic
def create_activity(*, actor: User | None, unit: Unit, type: ActivityType, title: str,
                    date: dt.date, place: str, organiser: str, participants_count: int,
                    participants: str = "", description: str = "", minutes: str = "",
                    attendance: str = "", decisions: str = "", uploads: Sequence[Any] = (),
                    scope: Scope) -> Activity:
    _require_entry(scope, unit)
    activity = Activity(unit=unit, type=type, title=title, date=date, place=place,
                        organiser=organiser, participants_count=participants_count,
                        participants=participants, description=description, minutes=minutes,
                        attendance=attendance, decisions=decisions,
                        created_by=actor if getattr(actor, "is_authenticated", False) else None)
    _check(activity)
    stored = _store_uploads(uploads, actor)
    activity.save()
    added = _attach(activity, stored)
    _notify(unit.pk, type, date)
    log_action(action="evidence.activity.created", actor=actor, obj=activity, unit=unit,
               data={"title": activity.title, "type": type.name, "date": date.isoformat(),
                     "files": added})
    return activity


@discarded_on_error()
@transaction.atomic
def update_activity(*, actor: User | None, activity: Activity, uploads: Sequence[Any] = (),
                    remove_files: Iterable[int] = (), scope: Scope,
                    expected_version: int | None = None, **changes: Any) -> Activity:
    """Change fields (``unit``, ``type`` and the ACTIVITY_FIELDS), add and remove files.
    ``expected_version``: the version the edit form was opened at (``StaleEdit`` if
    someone saved the activity since)."""
    _require_entry(scope, activity.unit)
    lock_version(activity, expected_version)
    before = (activity.unit_id, activity.type, activity.date)
    changed: dict[str, Any] = {}
    for name, value in changes.items():
        if name not in (*ACTIVITY_FIELDS, "unit", "type"):
            raise TypeError(f"update_activity() got an unexpected field {name!r}")
        if getattr(activity, name) != value:
            changed[name] = value
            setattr(activity, name, value)
    if "unit" in changed:
        _require_entry(scope, changed["unit"])
    _check(activity)
    stored = _store_uploads(uploads, actor)
    activity.version += 1
    activity.save()
    removed = activity.attachments.filter(file_id__in=list(remove_files)).delete()[0]
    added = _attach(activity, stored)
    old_unit, old_type, old_date = before
    _notify(old_unit, old_type, old_date)
    if (old_unit, old_type.pk, old_date) != (activity.unit_id, activity.type_id, activity.date):
        _notify(activity.unit_id, activity.type, activity.date)
    log_action(action="evidence.activity.updated", actor=actor, obj=activity, unit=activity.unit,
               data={"changed": sorted(changed), "files_added": added, "files_removed": removed})
    return activity


@transaction.atomic
def delete_activity(*, actor: User | None, activity: Activity, scope: Scope) -> None:
    _require_entry(scope, activity.unit)
    unit, kind, day, title = activity.unit, activity.type, activity.date, activity.title
    links = activity.links.count()
    log_action(action="evidence.activity.deleted", actor=actor, obj=activity, unit=unit,
               data={"title": title, "date": day.isoformat(), "links": links})
    activity.delete()
    _notify(unit.pk, kind, day)


@discarded_on_error()
@transaction.atomic
def upload_document(*, actor: User | None, unit: Unit, title: str, date: dt.date, upload: Any,
                    note: str = "", scope: Scope) -> EvidenceDocument:
    _require_entry(scope, unit)
    if date > today():
        raise ValidationError({"date": _("日期不能晚于今天")})
    if not (title or "").strip():
        raise ValidationError({"title": _("请填写材料名称")})
    stored = _store_uploads([upload], actor)[0]
    document = EvidenceDocument(unit=unit, title=title.strip(), date=date, file=stored,
                                note=note.strip(),
                                created_by=actor if getattr(actor, "is_authenticated", False) else None)
    document.full_clean()
    document.save()
    log_action(action="evidence.document.uploaded", actor=actor, obj=document, unit=unit,
               data={"title": document.title, "file": stored.name})
    return document


def _in_subtree(unit: Unit, other: Unit) -> bool:
    return other.path.startswith(unit.path)


@transaction.atomic
def link_evidence(*, actor: User | None, unit: Unit, standard_code: str, indicator_code: str,
                  year: int, requirement: str = "", activity: Activity | None = None,
                  document: EvidenceDocument | None = None, record: models.Model | None = None,
                  label: str = "", url: str = "", record_date: dt.date | None = None,
                  scope: Scope) -> EvidenceLink:
    """Link one record to an indicator of a unit for a year; linking it again changes nothing.

    ``record`` is any other model of the product (a report submission, a rectification
    order, an inspection finding); give its ``label``, ``url`` and ``record_date``.
    """
    _require_entry(scope, unit)
    if sum(x is not None for x in (activity, document, record)) != 1:
        raise ValidationError(_("请选择一项要关联的记录"))
    standard = selectors.standard_in_force(standard_code, year)
    if standard is None:
        raise ValidationError({"standard_code": _("%(year)s 年没有生效的创建标准「%(code)s」")
                               % {"year": year, "code": standard_code}})
    from chuangjian.standards.selectors import unit_matches

    if not unit_matches(standard.levels, standard.categories, unit):
        raise ValidationError({"standard_code": _("「%(standard)s」不适用于「%(unit)s」")
                               % {"standard": standard.name, "unit": unit.name}})
    indicator = standard.indicators.filter(code=indicator_code).first()
    if indicator is None:
        raise ValidationError({"indicator_code": _("「%(standard)s」中没有测评标准「%(code)s」")
                               % {"standard": standard.name, "code": indicator_code}})
    requirement = (requirement or "").strip()
    if requirement and requirement not in indicator.evidence:
        raise ValidationError({"requirement": _("「%(name)s」不要求「%(req)s」")
                               % {"name": indicator.name, "req": requirement}})
    start, end = selectors.window(standard.code, year)
    link = EvidenceLink(unit=unit, standard_code=standard.code, indicator_code=indicator.code,
                        period=str(year), requirement=requirement,
                        created_by=actor if getattr(actor, "is_authenticated", False) else None)
    existing = EvidenceLink.objects.filter(unit=unit, standard_code=standard.code,
                                           indicator_code=indicator.code, period=str(year),
                                           requirement=requirement)
    if activity is not None:
        if not _in_subtree(unit, activity.unit):
            raise ValidationError(_("活动「%(title)s」不属于「%(unit)s」或其下级单位")
                                  % {"title": activity.title, "unit": unit.name})
        if not scope.allows(activity.unit, Cap.VIEW):
            raise PermissionDenied
        day, label, url = activity.date, str(activity), activity_url(activity)
        existing = existing.filter(activity=activity)
        link.activity = activity
    elif document is not None:
        if not _in_subtree(unit, document.unit):
            raise ValidationError(_("材料「%(title)s」不属于「%(unit)s」或其下级单位")
                                  % {"title": document.title, "unit": unit.name})
        day, label, url = document.date, document.title, document.file.url("original")
        existing = existing.filter(document=document)
        link.document = document
    elif record is not None:
        if not label.strip():
            raise ValidationError(_("请填写记录的名称"))
        day = record_date or today()
        content_type = ContentType.objects.get_for_model(record)
        existing = existing.filter(content_type=content_type, object_id=str(record.pk))
        link.content_type, link.object_id = content_type, str(record.pk)
    else:  # pragma: no cover - excluded by the count above
        raise ValidationError(_("请选择一项要关联的记录"))
    if not start <= day <= end:
        raise ValidationError(_("「%(label)s」的日期 %(day)s 不在佐证时间范围（%(start)s 至 %(end)s）内")
                              % {"label": label, "day": day.isoformat(),
                                 "start": start.isoformat(), "end": end.isoformat()})
    found = existing.first()
    if found is not None:
        return found
    link.label, link.url, link.record_date = label.strip()[:300], url[:300], day
    link.full_clean(validate_constraints=False)
    link.save()
    log_action(action="evidence.link.created", actor=actor, obj=link, unit=unit,
               data={"standard": standard.code, "indicator": indicator.code, "year": year,
                     "requirement": requirement, "record": link.label})
    return link


@transaction.atomic
def unlink_evidence(*, actor: User | None, link: EvidenceLink, scope: Scope) -> None:
    _require_entry(scope, link.unit)
    log_action(action="evidence.link.deleted", actor=actor, obj=link, unit=link.unit,
               data={"standard": link.standard_code, "indicator": link.indicator_code,
                     "year": link.period, "requirement": link.requirement, "record": link.label})
    link.delete()


def _require_global(scope: Scope) -> None:
    if not scope.is_global:
        raise PermissionDenied(_("只有系统管理员可以修改"))


@transaction.atomic
def save_activity_type(*, actor: User | None, name: str, code: str, is_meeting: bool = False,
                       elements: Sequence[str] = (), keywords: Sequence[str] = (),
                       active: bool = True, order: int | None = None,
                       instance: ActivityType | None = None,
                       scope: Scope) -> ActivityType:
    """Add an activity type or change one (administrators only)."""
    _require_global(scope)
    unknown = [e for e in elements if e not in ACTIVITY_ELEMENTS]
    if unknown:
        raise ValidationError({"elements": _("活动台账不能统计数据元素：%(codes)s")
                               % {"codes": "、".join(unknown)}})
    kind = instance or ActivityType()
    kind.code, kind.name = code.strip(), name.strip()
    kind.is_meeting, kind.active = is_meeting, active
    kind.elements = list(dict.fromkeys(elements))
    kind.keywords = [k.strip() for k in keywords if k.strip()]
    if order is not None:
        kind.order = order
    elif instance is None:
        kind.order = (ActivityType.objects.aggregate(m=Max("order"))["m"] or 0) + 10
    kind.full_clean()
    kind.save()
    log_action(action="evidence.type.saved", actor=actor, obj=kind,
               data={"name": kind.name, "elements": kind.elements, "active": kind.active})
    return kind


@transaction.atomic
def set_window(*, actor: User | None, standard_code: str, months: int, end_month: int,
               end_day: int, scope: Scope) -> EvidenceWindow:
    _require_global(scope)
    row = EvidenceWindow.objects.filter(standard_code=standard_code).first() or EvidenceWindow(
        standard_code=standard_code)
    row.months, row.end_month, row.end_day = months, end_month, end_day
    row.full_clean()
    row.save()
    log_action(action="evidence.window.set", actor=actor, obj=row,
               data={"standard": standard_code, "months": months,
                     "end": f"{end_month:02d}-{end_day:02d}"})
    return row


def activity_url(activity: Activity) -> str:
    from django.urls import reverse

    return reverse("evidence:activity", args=[activity.pk])
