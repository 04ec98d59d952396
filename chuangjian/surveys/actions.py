"""Every write of the surveys app: questionnaires, surveys and quotas, links, responses,
review. Each runs in one transaction with its audit entry; nothing is half-written."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import uuid as uuidlib
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from chuangjian import sources
from chuangjian.audit.log import log_action
from chuangjian.org.levels import Level
from chuangjian.org.models import Unit
from chuangjian.org.scope import Cap, Scope, require
from chuangjian.surveys import answers as answer_rules
from chuangjian.surveys import forms_io, stats
from chuangjian.surveys.forms_io import Parsed
from chuangjian.surveys.models import (
    Flag,
    FormVersion,
    Group,
    Link,
    Questionnaire,
    Quota,
    Response,
    Survey,
)

MAX_PAGE_TIMES = 100


def _require_author(scope: Scope) -> None:
    """Questionnaires are shared by the whole tree (like the standards): only those who
    author standards at its top may import or publish one, not a street's administrator."""
    roots = Unit.objects.filter(parent__isnull=True)
    if not any(scope.allows(root, Cap.AUTHOR_STANDARDS) for root in roots):
        raise PermissionDenied


def may_author(*, scope: Scope) -> bool:
    try:
        _require_author(scope)
    except PermissionDenied:
        return False
    return True


@transaction.atomic
def import_questionnaire(*, actor: Any, scope: Scope, parsed: Parsed,
                         source_file: Any = None, publish: bool = False,
                         builtin: bool = False) -> FormVersion:
    """Store a parsed questionnaire. The latest version is changed in place while no one
    has answered it; once responses exist, a change makes a new version, and the old
    responses keep theirs."""
    _require_author(scope)
    d = parsed.definition
    code = d["form_id"]
    q, created = Questionnaire.objects.select_for_update().get_or_create(
        code=code, defaults={"title": d["title"][:200], "measure": d["measure"],
                             "builtin": builtin, "targets": parsed.targets})
    if not created:
        q.title, q.measure = d["title"][:200], d["measure"]
        if parsed.targets:
            q.targets = parsed.targets
        q.full_clean()
        q.save(update_fields=["title", "measure", "targets"])
    latest = q.versions.order_by("-number").first()
    if latest is not None and latest.definition == d:
        version = latest
    elif latest is not None and not latest.responses.exists():
        latest.definition, latest.label = d, d.get("version", "")[:64]
        if source_file is not None:
            latest.source_file = source_file
        latest.save(update_fields=["definition", "label", "source_file"])
        version = latest
    else:
        version = FormVersion.objects.create(
            questionnaire=q, number=(latest.number + 1) if latest else 1, definition=d,
            label=d.get("version", "")[:64], source_file=source_file,
            state=FormVersion.State.DRAFT)
    if publish and version.state != FormVersion.State.PUBLISHED:
        _publish(version)
    log_action(action="surveys.questionnaire.imported", actor=actor, obj=version,
               data={"code": code, "version": version.number, "published": publish})
    return version


def _publish(version: FormVersion) -> None:
    version.questionnaire.versions.filter(state=FormVersion.State.PUBLISHED).exclude(
        pk=version.pk).update(state=FormVersion.State.RETIRED)
    version.state, version.published_at = FormVersion.State.PUBLISHED, timezone.now()
    version.save(update_fields=["state", "published_at"])


@transaction.atomic
def publish_version(*, actor: Any, scope: Scope, version: FormVersion) -> FormVersion:
    """Publish a draft: new responses use it; the previous published version retires."""
    _require_author(scope)
    _publish(version)
    log_action(action="surveys.questionnaire.published", actor=actor, obj=version,
               data={"code": version.questionnaire.code, "version": version.number})
    return version


def load_builtin(*, scope: Scope) -> list[FormVersion]:
    """Load (or refresh) the built-in questionnaires, published."""
    return [import_questionnaire(actor=None, scope=scope, parsed=p, publish=True, builtin=True)
            for p in forms_io.builtin().values()]


@transaction.atomic
def create_survey(*, actor: Any, scope: Scope, code: str, title: str,
                  questionnaire: Questionnaire, unit: Unit, year: int,
                  margin: float = 0.1) -> Survey:
    require(scope, unit, Cap.APPROVE)
    if questionnaire.published() is None:
        raise ValidationError({"questionnaire": "问卷还没有发布的版本，请先发布"})
    survey = Survey(code=code, title=title, questionnaire=questionnaire, unit=unit, year=year,
                    margin=margin)
    survey.full_clean()
    survey.save()
    log_action(action="surveys.survey.created", actor=actor, obj=survey, unit=unit,
               data={"code": code, "questionnaire": questionnaire.code, "year": year})
    return survey


def _within(survey: Survey, unit: Unit) -> None:
    if not unit.path.startswith(survey.unit.path):
        raise ValidationError({"unit": f"「{unit.name}」不在调查范围「{survey.unit.name}」内"})


@transaction.atomic
def set_quota(*, actor: Any, scope: Scope, survey: Survey, unit: Unit, group: str,
              population: int | None = None, target_n: int | None = None) -> Quota:
    """The sampling plan of one place and group. Without ``target_n`` the size is proposed
    from the survey's margin of error and the group's size (finite population correction)."""
    require(scope, unit, Cap.APPROVE)
    _within(survey, unit)
    if group not in Group.values:
        raise ValidationError({"group": f"没有「{group}」这类调查对象"})
    if population is not None and population < 0:
        raise ValidationError({"population": "人群规模不能为负数"})
    if target_n is None:
        target_n = stats.sample_size(margin=survey.margin, population=population or None)
    if target_n <= 0:
        raise ValidationError({"target_n": "应调查人数必须大于 0"})
    quota, _created = Quota.objects.update_or_create(
        survey=survey, unit=unit, group=group,
        defaults={"population": population, "target_n": target_n})
    log_action(action="surveys.quota.set", actor=actor, obj=quota, unit=unit,
               data={"group": group, "population": population, "target_n": target_n})
    return quota


@transaction.atomic
def create_link(*, actor: Any, scope: Scope, survey: Survey, unit: Unit, group: str,
                single_use: bool = False) -> Link:
    require(scope, unit, Cap.ENTER_DATA)
    _quota(survey, unit, group)
    link = Link.objects.create(token=secrets.token_urlsafe(12), survey=survey, unit=unit,
                               group=group, single_use=single_use)
    log_action(action="surveys.link.created", actor=actor, obj=link, unit=unit,
               data={"group": group, "single_use": single_use})
    return link


def _quota(survey: Survey, unit: Unit, group: str) -> Quota:
    quota = Quota.objects.filter(survey=survey, unit=unit, group=group).first()
    if quota is None:
        label = dict(Group.choices).get(group, group)
        raise ValidationError({"group": f"「{unit.name}」没有「{label}」的抽样配额，请先在抽样方案中设置"})
    return quota


def client_hash(address: str) -> str:
    """The client address hashed with the secret key: enough to see a flood or a
    duplicate, not to identify a respondent."""
    return hashlib.sha256(f"{settings.SECRET_KEY}:survey:{address}".encode()).hexdigest()


def _instant(value: Any) -> dt.datetime | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value if timezone.is_aware(value) else timezone.make_aware(value)
    try:
        parsed = dt.datetime.fromisoformat(str(value)[:40].replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)


def _page_times(raw: Any) -> list[float]:
    if not isinstance(raw, list):
        return []
    out: list[float] = []
    for v in raw[:MAX_PAGE_TIMES]:
        try:
            number = float(v)
        except (TypeError, ValueError):
            continue
        out.append(round(max(0.0, min(number, 86400.0)), 1))
    return out


def submit_response(*, scope: Scope, survey: Survey, unit: Unit, group: str, uuid: Any,
                    answers: Mapping[str, Any], started_at: Any = None, ended_at: Any = None,
                    page_seconds: Any = None, enumerator: Any = None, link: Link | None = None,
                    client: str = "", now: dt.datetime | None = None
                    ) -> tuple[Response, bool]:
    """Check and store one response; (response, created). The same UUID sent again
    returns the stored response and stores nothing (a resend over a weak connection).

    A public link authorises its own place and group; otherwise the enumerator needs
    ``ENTER_DATA`` at the place. Raises ``ValidationError`` in Chinese.
    """
    try:
        key = uuidlib.UUID(str(uuid))
    except ValueError:
        raise ValidationError({"uuid": "答卷编号（UUID）无效"}) from None
    existing = Response.objects.filter(uuid=key).first()
    if existing is not None:
        if existing.survey_id != survey.pk:
            raise ValidationError({"uuid": "答卷编号已被另一份调查使用"})
        return existing, False
    if link is not None:
        if link.survey_id != survey.pk or not link.active:
            raise ValidationError({"link": "该链接已失效"})
        unit, group = link.unit, link.group
        if link.single_use and link.used_at is not None:
            raise ValidationError({"link": "该链接只能填写一次，已经使用过了"})
    else:
        require(scope, unit, Cap.ENTER_DATA)
    if survey.state != Survey.State.OPEN:
        raise ValidationError({"survey": "该调查已结束，不再接收答卷"})
    _within(survey, unit)
    _quota(survey, unit, group)
    version = survey.questionnaire.published()
    if version is None:
        raise ValidationError({"survey": "问卷没有发布的版本"})
    try:
        checked = answer_rules.check(version.definition, answers)
    except answer_rules.AnswerError as error:
        raise ValidationError({"answers": error.messages}) from None
    now = now or timezone.now()
    started, ended = _instant(started_at), _instant(ended_at)
    seconds = (ended - started).total_seconds() if started and ended and ended >= started else None
    scored = answer_rules.score(version.definition, checked.answers)
    fingerprint = answer_rules.fingerprint(checked.answers)
    flags: list[str] = []
    if answer_rules.too_fast(version.definition, checked.shown, seconds):
        flags.append(Flag.TOO_FAST)
    if answer_rules.straight_lined(version.definition, checked.answers):
        flags.append(Flag.STRAIGHT)
    # The same answers again from the same phone, or entered again by the same
    # enumerator, is suspect; the same answers from different people is common (a quiz
    # that everyone gets right) and is not.
    same = Response.objects.filter(survey=survey, unit=unit, group=group,
                                   fingerprint=fingerprint)
    if (client and same.filter(client=client).exists()) or (
            getattr(enumerator, "is_authenticated", False)
            and same.filter(enumerator=enumerator).exists()):
        flags.append(Flag.DUPLICATE)
    row = Response(uuid=key, survey=survey, version=version, unit=unit, group=group,
                   answers=checked.answers, started_at=started, ended_at=ended,
                   received_at=now, seconds=seconds, page_seconds=_page_times(page_seconds),
                   enumerator=enumerator if getattr(enumerator, "is_authenticated", False)
                   else None, link=link, client=client[:64], flags=flags,
                   correct=scored.correct, positive=scored.positive, fingerprint=fingerprint,
                   state=Response.State.ISSUES if flags else Response.State.RECEIVED)
    try:
        with transaction.atomic():
            if link is not None and link.single_use:
                # Claim the link in the same transaction: two phones racing get one each.
                claimed = Link.objects.filter(pk=link.pk, used_at__isnull=True).update(used_at=now)
                if not claimed:
                    raise ValidationError({"link": "该链接只能填写一次，已经使用过了"})
            row.save()
            log_action(action="surveys.response.received", actor=enumerator, obj=row, unit=unit,
                       data={"survey": survey.code, "group": group, "flags": flags})
    except IntegrityError:
        # The same UUID arrived twice at the same moment: the first one is kept.
        again = Response.objects.filter(uuid=key).first()
        if again is None:
            raise
        return again, False
    return row, True


def _changed(response: Response) -> None:
    codes = forms_io.feeds_for(response.survey.questionnaire.code, response.group)
    if codes:
        sources.changed(unit_id=response.unit_id, element_codes=codes,
                        day=dt.date(response.survey.year, 12, 31))


REVIEW_MOVES: dict[str, set[str]] = {
    Response.State.RECEIVED: {Response.State.ISSUES, Response.State.APPROVED,
                              Response.State.REJECTED},
    Response.State.ISSUES: {Response.State.APPROVED, Response.State.REJECTED},
    Response.State.APPROVED: {Response.State.ISSUES, Response.State.REJECTED},
    Response.State.REJECTED: {Response.State.ISSUES, Response.State.APPROVED},
}


@transaction.atomic
def review_response(*, actor: Any, scope: Scope, response: Response, state: str,
                    reason: str = "", now: dt.datetime | None = None) -> Response:
    """Move a response through received → has issues → approved / rejected; every move
    but a plain approval needs a reason."""
    require(scope, response.unit, Cap.APPROVE)
    locked = Response.objects.select_for_update().get(pk=response.pk)
    reason = (reason or "").strip()
    if state not in REVIEW_MOVES.get(locked.state, set()):
        raise ValidationError({"state": f"答卷当前为「{locked.get_state_display()}」，不能改为该状态"})
    if len(reason) > 500:
        raise ValidationError({"reason": "审核意见不能超过 500 字"})
    needs_reason = state != Response.State.APPROVED or locked.state != Response.State.RECEIVED
    if needs_reason and not reason:
        raise ValidationError({"reason": "请填写审核意见（改为有疑问、作废或更改已审核的答卷都要写明原因）"})
    before = locked.state
    locked.state, locked.reason = state, reason
    locked.reviewed_by = actor if getattr(actor, "is_authenticated", False) else None
    locked.reviewed_at = now or timezone.now()
    locked.full_clean()
    locked.save(update_fields=["state", "reason", "reviewed_by", "reviewed_at"])
    log_action(action="surveys.response.reviewed", actor=actor, obj=locked, unit=locked.unit,
               data={"from": before, "to": state, "reason": reason})
    if Response.State.APPROVED in (before, state):
        _changed(locked)
    return locked


@transaction.atomic
def approve_many(*, actor: Any, scope: Scope, responses: Iterable[Response],
                 now: dt.datetime | None = None) -> int:
    """Approve the given responses that are received and unflagged (批量通过)."""
    done = 0
    for response in responses:
        if response.state == Response.State.RECEIVED and not response.flags:
            review_response(actor=actor, scope=scope, response=response,
                            state=Response.State.APPROVED, now=now)
            done += 1
    return done


def units_of(*, scope: Scope, survey: Survey, level: str = Level.COMMUNITY) -> Sequence[Unit]:
    """The open places of a survey's area that the caller may enter data for."""
    return list(scope.filter(Unit.objects.filter(path__startswith=survey.unit.path, level=level,
                                                 closed_on__isnull=True), Cap.ENTER_DATA)
                .order_by("path"))
