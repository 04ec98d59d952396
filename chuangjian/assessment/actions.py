"""Every write of the assessment: runs, publication, reviewer scores, freshness.

A run is computed in memory and written in one transaction; the previous results of
the same standard, year, kind and scope stay current until then, so a failure
midway changes nothing that dashboards read.
"""

from __future__ import annotations

import datetime as dt
import itertools
import logging
import time
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from chuangjian.assessment.compute import (
    ComputeError,
    UnitTree,
    data_as_of,
    indicators_for,
    open_during_year,
    profile_of,
    sharing_trees,
    sheet_of,
    trees_shared,
)
from chuangjian.assessment.models import (
    AssessmentRun,
    Kind,
    ReviewerScore,
    RunStatus,
)
from chuangjian.assessment.models.results import KIND_ALIASES
from chuangjian.assessment.runner import (
    Computed,
    compute_full,
    compute_runs,
    insert_results,
    live_runs,
    refresh_unit,
    spot_sample,
)
from chuangjian.assessment.spec import StandardSpec, spec_for
from chuangjian.audit.log import log_action, log_actions
from chuangjian.engine.scoring import ScoringError
from chuangjian.lib.forked import each_forked
from chuangjian.lib.writelock import atomic_promptly
from chuangjian.org.models import Role, Unit, User
from chuangjian.org.scope import Cap, Scope
from chuangjian.reporting.datasets import catalog
from chuangjian.standards.models import StandardVersion

logger = logging.getLogger(__name__)


class AssessmentError(ValidationError):
    """A refused assessment request; the message is Chinese."""


def _user(actor: User | None) -> User | None:
    return actor if getattr(actor, "is_authenticated", False) else None


def parse_kind(text: str) -> str:
    kind = KIND_ALIASES.get(text.strip()) if text else None
    if kind is None:
        raise AssessmentError(f"未知的考核类型「{text}」，应为 自查、考核 或 抽查")
    return kind.value


def standard_version(code: str, year: int) -> StandardVersion:
    """The latest version of standard ``code`` in force in ``year``."""
    versions = list(StandardVersion.objects.filter(code=code).order_by("-version", "-overlay_version"))
    if not versions:
        raise AssessmentError(f"未知的标准「{code}」")
    for v in versions:
        if v.year_from <= year and (v.year_to is None or year <= v.year_to):
            return v
    span = "、".join(v.years_label for v in versions)
    raise AssessmentError(f"标准「{versions[0].name}」在 {year} 年不适用（有效年度：{span}）")


def can_start(*, scope: Scope, unit: Unit, kind: str) -> bool:
    """自查: the unit itself (enter data there); 考核 and 抽查: approval over it from above."""
    if scope.is_global:
        return True
    if kind == Kind.SELF:
        return scope.allows(unit, Cap.ENTER_DATA)
    return scope.allows(unit, Cap.APPROVE)


def _closing_run(standard_code: str, year: int) -> AssessmentRun | None:
    """The published current 考核 run that closes the year, if any."""
    return (AssessmentRun.objects.filter(standard_code=standard_code, year=year,
                                         kind=Kind.REVIEW, current=True,
                                         published_at__isnull=False)
            .order_by("-published_at").first())


def is_admin(*, scope: Scope, unit: Unit) -> bool:
    return scope.is_global or Role.ADMIN.value in scope.roles_at(unit)


def start_run(*, actor: User | None, standard_code: str, year: int, kind: str = Kind.REVIEW,
              unit: Unit | None = None, sample: Sequence[int] | None = None,
              reopen_reason: str = "", scope: Scope,
              today: dt.date | None = None, fail_after: int | None = None) -> AssessmentRun:
    """Assess ``unit``'s subtree (the first top-level unit when None) and store the results.

    Not atomic as a whole on purpose: the run row is kept (status 失败, with the
    reason) when the computation fails, while the results are written atomically.
    """
    if unit is None:
        unit = Unit.objects.filter(parent__isnull=True).order_by("path").first()
        if unit is None:
            raise AssessmentError("组织树为空，无法考核")
    return start_runs(actor=actor, standard_code=standard_code, year=year, kind=kind,
                      units=[unit], sample=sample, reopen_reason=reopen_reason, scope=scope,
                      today=today, fail_after=fail_after)[0]


def start_runs(*, actor: User | None, standard_code: str, year: int, kind: str = Kind.REVIEW,
               units: Sequence[Unit], sample: Sequence[int] | None = None,
               reopen_reason: str = "", scope: Scope, today: dt.date | None = None,
               fail_after: int | None = None) -> list[AssessmentRun]:
    """One run per unit of ``units`` (its subtree), computed and stored together.

    Every unit is checked before any run starts, and nothing starts when one of them may
    not be assessed. The runs' subtrees are read and scored at once
    (``runner.compute_runs``: a city's districts ask each source once, not once each);
    each run's results are what it gets alone, and all are written in one transaction:
    the runs become current together, or fail together with the reason. A
    spot check (抽查) draws its sample per unit and is computed unit by unit; ``sample``
    names the units of a single unit's spot check.
    """
    kind = parse_kind(kind)
    version = standard_version(standard_code, year)
    spec = spec_for(version)
    if not units:
        raise AssessmentError("没有选择要考核的单位")
    if sample and len(units) > 1:
        raise AssessmentError("指定抽查样本时只能考核一个单位")
    ordered = sorted(units, key=lambda u: u.path)
    for outer, inner in itertools.pairwise(ordered):
        if inner.pk == outer.pk:
            raise AssessmentError(f"「{inner.name}」选了两次")
        if inner.path.startswith(outer.path):
            raise AssessmentError(f"「{inner.name}」属于「{outer.name}」，不能与它同时考核")
    closing = _closing_run(standard_code, year)
    reopen_reason = reopen_reason.strip()
    today = today or timezone.localdate()
    runs = [_new_run(version, spec, unit, year=year, kind=kind, sample=sample, closing=closing,
                     reopen_reason=reopen_reason, actor=actor, scope=scope, today=today)
            for unit in units]
    for run in runs:
        # Its standard and root are the rows just read, and the one-current rule is
        # ``_make_current``'s: no query for either (3 ms a run, 90 runs for a city).
        run.full_clean(exclude=["standard", "root", "created_by"], validate_unique=False,
                       validate_constraints=False)
    for run in runs:
        run.save()
    started = time.perf_counter()
    try:
        if kind == Kind.SPOT:
            computed = {run.pk: compute_full(run, fail_after=fail_after) for run in runs}
        else:
            computed = compute_runs(runs, fail_after=fail_after)
    except Exception as error:
        raise _failed(runs, error) from error
    try:
        _store(runs, computed, actor=actor, started=started)
    except Exception as error:
        raise _failed(runs, error) from error
    return runs


def _new_run(version: StandardVersion, spec: StandardSpec, unit: Unit, *, year: int, kind: str,
             sample: Sequence[int] | None, closing: AssessmentRun | None, reopen_reason: str,
             actor: User | None, scope: Scope, today: dt.date) -> AssessmentRun:
    """A run of ``unit`` checked and ready to save: the caller may start it, the standard
    applies under it, a closed year is reopened only with a reason and by an admin."""
    if not can_start(scope=scope, unit=unit, kind=kind):
        raise PermissionDenied("无权对该单位发起此类考核")
    if not _applies(spec, unit, year):
        raise AssessmentError(f"标准「{version.name}」不适用于「{unit.name}」"
                              f"（适用：{'、'.join(version.level_names)}；{'、'.join(version.categories)}）")
    reason = ""  # kept only when the run reopens a closed year
    if closing is not None and unit.path.startswith(closing.root.path):
        if not reopen_reason:
            raise AssessmentError(f"{year} 年「{version.name}」的考核结果已公布，年度已关闭；"
                                  "重新考核须由管理员填写理由（--reopen）")
        if not is_admin(scope=scope, unit=closing.root):
            raise PermissionDenied(f"{year} 年考核结果已公布，只有管理员可以重新考核")
        reason = reopen_reason
    run = AssessmentRun(standard=version, standard_code=version.code, year=year, kind=kind,
                        root=unit, status=RunStatus.RUNNING, as_of=data_as_of(year, today),
                        created_by=_user(actor), reopen_reason=reason)
    if kind == Kind.SPOT:
        if sample:
            inside = set(Unit.objects.filter(pk__in=list(sample), path__startswith=unit.path)
                         .values_list("pk", flat=True))
            outside = sorted(set(sample) - inside)
            if outside:
                raise AssessmentError(f"抽查样本中有 {len(outside)} 个单位不在「{unit.name}」范围内")
            run.sample = sorted(inside)
        else:
            candidates = [u for u in Unit.objects.filter(path__startswith=unit.path)
                          if sheet_of(spec, u) == ""]
            if candidates:
                run.sample = spot_sample(candidates, f"{version.code}/{year}/{unit.code}")
    return run


def _applies(spec: StandardSpec, unit: Unit, year: int) -> bool:
    """Whether the standard assesses a unit open in ``year`` in ``unit``'s subtree. Read a
    chunk at a time: the first such unit is enough (a whole city's 4,000 units were read
    for every run); inside ``trees_shared`` from the subtree read once for every standard."""
    units: Iterable[Unit] = (
        UnitTree.forest([unit]).units if sharing_trees()
        else Unit.objects.filter(path__startswith=unit.path).order_by("path").iterator(chunk_size=100))
    return any(open_during_year(u, year) and sheet_of(spec, u) is not None for u in units)


def applicable_units(*, standard_code: str, year: int, units: Iterable[Unit], scope: Scope
                     ) -> list[Unit]:
    """Those of ``units`` in scope under which the standard assesses someone in ``year``
    (the command line's and the benchmark's 考核 of every top-level unit)."""
    spec = spec_for(standard_version(standard_code, year))
    return [u for u in units if scope.allows(u) and _applies(spec, u, year)]


@dataclass
class StandardOutcome:
    """One standard of a year's assessment (``assess_year``): its runs (one per top-level
    unit it applies to; none when it did not finish — runs that failed keep their reason
    in the list of runs), the top-level units it does not apply to, why it did not finish
    (a refusal or a failure, in Chinese; empty when it did), the seconds it took and the
    process that ran it."""

    version: StandardVersion
    runs: list[AssessmentRun] = field(default_factory=list)
    left_out: list[Unit] = field(default_factory=list)
    error: str = ""
    seconds: float = 0.0
    process: int = 0


def assess_year(*, actor: User | None, year: int, kind: str = Kind.REVIEW, scope: Scope,
                standard_codes: Sequence[str] = (), today: dt.date | None = None,
                reopen_reason: str = "", processes: int = 1) -> list[StandardOutcome]:
    """The year's assessment of every standard in force (or of ``standard_codes``) over the
    top-level units of ``scope`` each applies to: what a county runs at the year's end
    (``chuangjian assess --all``). Each standard is ``start_runs`` over its units, stored
    as that stores it; one standard refused or failing (its runs then marked failed with
    the reason) does not stop the others. The standards are shared among ``processes``
    forked processes, the largest first (``lib.forked``: here, one by one, inside a
    transaction or on an in-memory database); the trees and the parsed standards are read
    here once, before the fork. ``reopen_reason`` reopens the standards whose year is
    closed, as ``start_runs``. In the order of the catalogue."""
    kind = parse_kind(kind)
    today = today or timezone.localdate()
    in_force = catalog().in_force(year)
    if standard_codes:
        known = {v.code: v for v in in_force}
        for code in standard_codes:
            if code not in known:
                standard_version(code, year)  # unknown, or not in force: says which
        in_force = [known[c] for c in dict.fromkeys(standard_codes)]
    if not in_force:
        raise AssessmentError(f"{year} 年没有有效的标准")
    tops = scope.root_units()
    outcomes = [StandardOutcome(version) for version in in_force]
    with trees_shared():
        weights: dict[int, int] = {}
        alike: dict[int, list[tuple[Unit, int]]] = {}  # by tree: one unit of each profile, how many
        for k, outcome in enumerate(outcomes):
            applicable = applicable_units(standard_code=outcome.version.code, year=year,
                                          units=tops, scope=scope)
            outcome.left_out = [u for u in tops if u not in applicable]
            if applicable:
                tree = UnitTree.forest(applicable)
                if id(tree) not in alike:
                    alike[id(tree)] = _profiles(tree)
                weights[k] = _work_of(spec_for(outcome.version), alike[id(tree)], len(tree.units))

        def assess(k: int) -> tuple[list[int], str, float]:
            outcome, started = outcomes[k], time.perf_counter()
            units = [u for u in tops if u not in outcome.left_out]
            try:
                runs = start_runs(actor=actor, standard_code=outcome.version.code, year=year,
                                  kind=kind, units=units, scope=scope, today=today,
                                  reopen_reason=reopen_reason)
            except (AssessmentError, PermissionDenied) as error:
                return [], _message(error), time.perf_counter() - started
            except Exception as error:  # its runs are marked failed; the others go on
                logger.exception("assessment of %s failed", outcome.version.code)
                return [], f"计算失败：{error}", time.perf_counter() - started
            return [r.pk for r in runs], "", time.perf_counter() - started

        largest_first = sorted(weights, key=lambda k: -weights[k])
        done = {k: (got, pid) for k, got, pid in each_forked(assess, largest_first,
                                                           processes=processes)}
    runs = {r.pk: r for r in AssessmentRun.objects.filter(
        pk__in=[pk for (pks, _e, _s), _p in done.values() for pk in pks]).select_related("root")}
    for k, ((pks, error, seconds), pid) in done.items():
        outcome = outcomes[k]
        outcome.error, outcome.seconds, outcome.process = error, seconds, pid
        outcome.runs = sorted((runs[pk] for pk in pks), key=lambda r: r.root.path)
        for run in outcome.runs:
            run.standard = outcome.version  # the row read above, without its text again
    return outcomes


def _profiles(tree: UnitTree) -> list[tuple[Unit, int]]:
    """One unit of each profile (``profile_of``) of ``tree`` and how many have it."""
    count = Counter(profile_of(u) for u in tree.units)
    first = {profile_of(u): u for u in reversed(tree.units)}
    return [(first[profile], n) for profile, n in count.items()]


def _work_of(spec: StandardSpec, profiles: Sequence[tuple[Unit, int]], units: int) -> int:
    """How much work a standard's runs over a tree of ``units`` are, roughly, so that the
    largest are handed out first: each item of each assessed unit scored (about three
    times the reading of one figure), each unit's figure of each element read for the year
    and the years compared (a daily element's year of days about twenty figures' worth).
    Measured at L (docs/benchmarks.md): it puts 创城 and 文明社区, a quarter of the work
    each, first."""
    items = 0
    for unit, count in profiles:
        sheet = sheet_of(spec, unit)
        if sheet is not None:
            items += count * len(indicators_for(spec, unit, sheet))
    figures = sum(DAILY_WEIGHT if e.period == "day" else 1 for e in spec.elements.values())
    return 3 * items + units * (1 + spec.years_back) * figures


DAILY_WEIGHT = 20


def _message(error: Exception) -> str:
    """A refusal's Chinese sentence."""
    if isinstance(error, ValidationError):
        return "；".join(error.messages)
    return str(error) or "无权执行该考核"


def _store(runs: Sequence[AssessmentRun], computed: Mapping[int, Computed], *,
           actor: User | None, started: float) -> None:
    """Write the computed runs' rows and make them current, in one transaction (asking
    for SQLite's write lock promptly: the year's assessment stores standards from several
    processes at once). One transaction for a city's districts, not one each: at L the
    ninety runs' commits, current flags and savepoints were a quarter of the writing."""
    with atomic_promptly():
        for run in runs:
            run.units_assessed = insert_results(run, computed[run.pk])
        _make_current(runs)
        finished = timezone.now()
        for run in runs:
            scores = computed[run.pk].scores
            run.status = RunStatus.DONE
            run.finished_at = finished
            run.duration_ms = int((time.perf_counter() - started) * 1000)
            run.units_passed = sum(1 for r in scores if r.passed)
            run.units_vetoed = sum(1 for r in scores if r.vetoed)
            # An UPDATE each: ``bulk_update``'s CASE expressions took 12 ms of Python for ten.
            AssessmentRun.objects.filter(pk=run.pk).update(
                status=run.status, finished_at=finished, duration_ms=run.duration_ms,
                units_assessed=run.units_assessed, units_passed=run.units_passed,
                units_vetoed=run.units_vetoed)
        log_actions(action="assessment.run.completed", actor=actor, changes=[
            (run, run.root, {"standard": run.standard_code, "year": run.year, "kind": run.kind,
                             "units": run.units_assessed, "passed": run.units_passed,
                             "vetoed": run.units_vetoed, "ms": run.duration_ms,
                             **({"reopen_reason": run.reopen_reason}
                                if run.reopen_reason else {})})
            for run in runs])


def _failed(runs: Sequence[AssessmentRun], error: Exception) -> Exception:
    """Mark ``runs`` failed with the reason; the error to raise (a computation's own
    refusal as an ``AssessmentError``)."""
    message = str(error) if isinstance(error, ComputeError) else f"计算失败：{error}"
    AssessmentRun.objects.filter(pk__in=[r.pk for r in runs]).update(
        status=RunStatus.FAILED, error=message, finished_at=timezone.now())
    for run in runs:
        run.status, run.error = RunStatus.FAILED, message
    return AssessmentError(message) if isinstance(error, ComputeError) else error


CURRENT_ATTEMPTS = 5


def _make_current(runs: Sequence[AssessmentRun]) -> None:
    """Make each of ``runs`` (one standard, year and kind; each of its own root) the one
    current run of its root.

    Two runs of a root finishing at once may both clear the old current flag and then set
    their own; the partial unique constraint lets only one succeed, and the other
    retries, clearing the winner's flag (the later finisher is the current one).
    """
    first, ids = runs[0], [r.pk for r in runs]
    for _attempt in range(CURRENT_ATTEMPTS):
        peers = AssessmentRun.objects.filter(
            standard_code=first.standard_code, year=first.year, kind=first.kind,
            root_id__in=[r.root_id for r in runs], current=True)
        try:
            with transaction.atomic():
                peers.exclude(pk__in=ids).update(current=False)
                AssessmentRun.objects.filter(pk__in=ids).update(current=True)
        except IntegrityError:
            continue
        for run in runs:
            run.current = True
        return
    raise AssessmentError("另一次考核同时完成，请稍后重试")


@transaction.atomic
def publish_run(*, actor: User | None, run: AssessmentRun, scope: Scope
                ) -> AssessmentRun:
    """Publish (公布) a run: its results are final and no longer change; a 考核 run closes the year."""
    run = AssessmentRun.objects.select_for_update(of=("self",)).select_related("root").get(pk=run.pk)
    if not can_start(scope=scope, unit=run.root, kind=run.kind) or not scope.allows(run.root, Cap.APPROVE):
        raise PermissionDenied("无权公布该考核结果")
    if run.status != RunStatus.DONE or not run.current:
        raise AssessmentError("只有最新一次完成的考核可以公布")
    if run.published_at is not None:
        raise AssessmentError("该考核结果已经公布")
    run.published_at = timezone.now()
    run.published_by = _user(actor)
    run.save(update_fields=["published_at", "published_by"])
    log_action(action="assessment.run.published", actor=actor, obj=run, unit=run.root,
               data={"standard": run.standard_code, "year": run.year, "kind": run.kind})
    return run


# -- reviewer scores (评审打分) -------------------------------------------------------------


def can_review(*, scope: Scope, unit: Unit, kind: str) -> bool:
    """考核: the level above (approval at the parent); 自查: the unit itself;
    抽查: approval or inspection two levels up or higher."""
    if scope.is_global:
        return True
    ancestors = unit.path.strip("/").split("/")[:-1]
    if kind == Kind.SELF:
        return scope.allows(unit, Cap.ENTER_DATA)
    if kind == Kind.REVIEW:
        if not ancestors:
            return False
        parent_path = "".join(f"{p}/" for p in ancestors)
        return scope.allows(parent_path, Cap.APPROVE)
    if len(ancestors) < 2:
        return False
    above = "".join(f"{p}/" for p in ancestors[:-1])
    return scope.allows(above, Cap.APPROVE) or scope.allows(above, Cap.INSPECT)


def _clean_evidence(evidence: Iterable[Mapping[str, str]]) -> list[dict[str, str]]:
    out = []
    for n, link in enumerate(evidence, start=1):
        label = str(link.get("label", "")).strip()
        url = str(link.get("url", "")).strip()
        if not label and not url:
            continue
        if not label:
            raise ValidationError({"evidence": f"第 {n} 条佐证材料缺少名称"})
        if url and not (url.startswith("/") or url.startswith("http://") or url.startswith("https://")):
            raise ValidationError({"evidence": f"第 {n} 条佐证材料的链接应以 / 或 http(s):// 开头"})
        out.append({"label": label[:200], "url": url[:500]})
    return out


@transaction.atomic
def set_reviewer_score(*, actor: User | None, standard_code: str, year: int, kind: str,
                       unit: Unit, indicator_code: str, score: float | str | None,
                       comment: str = "", evidence: Iterable[Mapping[str, str]] = (),
                       scope: Scope, now: dt.datetime | None = None
                       ) -> ReviewerScore:
    """Score a 材料审核 / 实地考察 item. Below full marks the comment must say what is wanting."""
    kind = parse_kind(kind)
    if not can_review(scope=scope, unit=unit, kind=kind):
        raise PermissionDenied("无权为该单位评分：考核由上级单位评分，自查由本单位评分")
    version = standard_version(standard_code, year)
    spec = spec_for(version)
    ind = spec.by_code.get(indicator_code)
    if ind is None:
        raise ValidationError({"indicator": f"标准「{version.name}」中没有指标「{indicator_code}」"})
    if not ind.is_reviewer:
        raise ValidationError({"indicator": f"指标「{ind.name}」由数据计算得分，不能人工评分"})
    if kind == Kind.REVIEW:
        closing = _closing_run(standard_code, year)
        if closing is not None and unit.path.startswith(closing.root.path):
            raise ValidationError(f"{year} 年考核结果已公布，不能再修改评分")
    if score is None or (isinstance(score, str) and not score.strip()):
        raise ValidationError({"score": "请填写评分"})
    try:
        value = float(score)
    except (TypeError, ValueError):
        raise ValidationError({"score": f"评分「{score}」不是数字"}) from None
    try:
        value = ind.scorer.validate(value)  # type: ignore[union-attr]
    except ScoringError as error:
        raise ValidationError({"score": str(error)}) from None
    comment = comment.strip()
    if value < ind.max_score and not comment:
        raise ValidationError({"comment": "未给满分时须填写评审意见，说明扣分原因"})
    links = _clean_evidence(evidence)
    row, created = ReviewerScore.objects.select_for_update().get_or_create(
        standard_code=version.code, year=year, kind=kind, unit=unit, indicator_code=ind.code,
        defaults={"score": value, "comment": comment, "evidence": links,
                  "scored_by": _user(actor), "scored_at": now or timezone.now()})
    old = None if created else row.score
    if not created:
        row.score, row.comment, row.evidence = value, comment, links
        row.scored_by, row.scored_at = _user(actor), now or timezone.now()
    row.full_clean()
    row.save()
    log_action(action="assessment.review.scored", actor=actor, obj=row, unit=unit,
               data={"standard": version.code, "year": year, "kind": kind,
                     "indicator": ind.code, "old": old, "score": value, "comment": comment})
    runs = [r for r in live_runs(unit, [year]) if r.kind == kind and r.standard_code == version.code]
    refresh_unit(unit, day=dt.date(year, 12, 31), runs=runs)
    return row
