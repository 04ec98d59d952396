"""What the plan says vs what the office sets: origins beside each built-in standard, and an
office's overlay (本地设定) validated like a standard, versioned, shown on the page."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from chuangjian.audit.models import AuditEntry
from chuangjian.org.scope import Scope
from chuangjian.org.testing import World
from chuangjian.standards import actions, loader, overlays, plans, selectors
from chuangjian.standards.loader import StandardsInvalid
from chuangjian.standards.models import StandardVersion

OVERLAY = """\
# 某区文明办对文明社区的本地设定
overlay: wenming_shequ
standard_version: 1
version: 1
name: 2026 年文明社区考核细则
office: 城关区文明办
reason: 区文明委 2026 年第 3 次会议决定提高合格线
pass_mark: 85
tiers:
  - {name: 达标, min: 85}
  - {name: 先进, min: 92}
indicators:
  security_post_rate: {max: 5}
  corridor_light_rate: {max: 2}
  no_major_fire_3y: {veto: false}
"""


@pytest.fixture
def builtin(db: None) -> loader.LoadResult:
    result = loader.load_builtin().raise_for_errors()
    actions.load_standards(actor=None, result=result, scope=Scope.system())
    return result


def write(tmp_path: Path, text: str, name: str = "overlay.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_every_builtin_standard_says_which_parts_are_the_plans_and_which_are_defaults() -> None:
    codes = [s.code for s in loader.load_builtin().standards]
    assert overlays.origins_errors(codes) == []
    for code in codes:
        origins = overlays.origins_for(code)
        assert origins is not None and origins.standard == code
        # The plans never say 否决: no built-in standard may claim a veto from a plan.
        assert origins.veto.by == "default"
    assert not any("否决" in text for text in plans.plan_texts().values())


def test_an_office_overlay_becomes_the_version_in_force_and_keeps_the_builtin_beside_it(
        builtin: loader.LoadResult, tmp_path: Path) -> None:
    from chuangjian.assessment.actions import standard_version

    shipped = StandardVersion.objects.get(code="wenming_shequ", overlay_version=0)
    summary = actions.load_overlay(actor=None, scope=Scope.system(),
                                   path=write(tmp_path, OVERLAY))
    local = summary.version
    assert summary.created and local.overlay_version == 1 and local.version == 1
    assert (local.pass_mark, local.tiers) == (85, [{"name": "达标", "min": 85},
                                                   {"name": "先进", "min": 92}])
    assert local.indicators.get(code="security_post_rate").max_score == 5
    assert local.indicators.get(code="corridor_light_rate").max_score == 2
    assert not local.indicators.get(code="no_major_fire_3y").veto
    # The plan's parts are untouched: same indicators, targets and quotes.
    assert list(local.indicators.values_list("code", "target_text", "source_quote")) == list(
        shipped.indicators.values_list("code", "target_text", "source_quote"))
    assert standard_version("wenming_shequ", 2026) == local
    assert selectors.standard_for("wenming_shequ") == local
    assert StandardVersion.objects.get(pk=shipped.pk).pass_mark == 80  # never rewritten
    assert AuditEntry.objects.filter(action="standards.overlay.loaded").count() == 1
    again = actions.load_overlay(actor=None, scope=Scope.system(), path=write(tmp_path, OVERLAY))
    assert not again.created and again.version == local


def test_a_changed_overlay_under_the_same_version_is_refused(builtin: loader.LoadResult,
                                                             tmp_path: Path) -> None:
    actions.load_overlay(actor=None, scope=Scope.system(), path=write(tmp_path, OVERLAY))
    with pytest.raises(ValidationError, match="本地设定第 1 版已载入且内容不同"):
        actions.load_overlay(actor=None, scope=Scope.system(),
                             path=write(tmp_path, OVERLAY.replace("第 3 次", "第 4 次")))
    newer = OVERLAY.replace("version: 1\nname", "version: 2\nname").replace(
        "pass_mark: 85", "pass_mark: 86").replace("min: 85", "min: 86")
    second = actions.load_overlay(actor=None, scope=Scope.system(), path=write(tmp_path, newer))
    assert second.version.overlay_version == 2 and second.version.pass_mark == 86


@pytest.mark.parametrize(("change", "needle", "message"), [
    (lambda t: t.replace("office:", "offfice:"), "offfice:", "未知字段「offfice」"),
    (lambda t: t.replace("security_post_rate: {max: 5}", "no_such_rate: {max: 5}"),
     "no_such_rate", "没有指标「no_such_rate」"),
    (lambda t: t.replace("corridor_light_rate: {max: 2}", "corridor_light_rate: {max: 3}"),
     "indicators:", "各指标分值合计为 101"),
    (lambda t: t.replace("{name: 先进, min: 92}", "{name: 先进, min: 70}"),
     "min: 70", "应在合格线 85 与总分之间"),
])
def test_a_bad_overlay_is_refused_in_chinese_with_its_file_and_line(
        builtin: loader.LoadResult, tmp_path: Path, change, needle: str, message: str) -> None:
    text = change(OVERLAY)
    with pytest.raises(StandardsInvalid) as info:
        actions.load_overlay(actor=None, scope=Scope.system(), path=write(tmp_path, text))
    error = next(e for e in info.value.errors if message in e.message)
    assert error.file.endswith("overlay.yaml") and error.line == line_of(text, needle), error
    assert not StandardVersion.objects.filter(overlay_version__gt=0).exists()


def test_an_overlay_may_not_change_a_part_the_plan_sets(builtin: loader.LoadResult,
                                                        tmp_path: Path, monkeypatch) -> None:
    origins = tmp_path / "origins"
    origins.mkdir()
    text = (overlays.ORIGINS_DIR / "wudu_xian.yaml").read_text(encoding="utf-8")
    # Suppose a plan did fix the pass mark: quote it, and the overlay may not touch it.
    text = text.replace(text[text.index("pass_mark:"):text.index("\ntiers:")],
                        'pass_mark: {by: plan, plan: 篇2, quote: "考核总合格率要超过85", '
                        'note: 假设计划规定了合格线}')
    (origins / "wudu_xian.yaml").write_text(text, encoding="utf-8")
    monkeypatch.setattr(overlays, "ORIGINS_DIR", origins)
    overlays.origins_for.cache_clear()
    try:
        assert overlays.origins_errors(["wudu_xian"]) == []
        body = ("overlay: wudu_xian\nstandard_version: 1\nversion: 1\nname: 细则\noffice: 县禁毒办\n"
                "reason: 试行\npass_mark: 70\n")
        with pytest.raises(StandardsInvalid) as info:
            actions.load_overlay(actor=None, scope=Scope.system(), path=write(tmp_path, body))
        error = info.value.errors[0]
        assert "合格分是计划（篇2）规定的，不能在本地设定中修改" in error.message
        assert error.line == line_of(body, "pass_mark")
    finally:
        overlays.origins_for.cache_clear()


def test_only_a_deployment_wide_scope_may_load_an_overlay(builtin: loader.LoadResult,
                                                          world: World, tmp_path: Path) -> None:
    with pytest.raises(PermissionDenied):
        actions.load_overlay(actor=world.street_leader, scope=Scope.for_user(world.street_leader),
                             path=write(tmp_path, OVERLAY))


def test_the_standard_page_shows_what_the_plan_says_and_what_the_office_set(
        builtin: loader.LoadResult, world: World, tmp_path: Path) -> None:
    client = world.client_for(world.street_leader)
    page = client.get(reverse("standards:detail", args=["wenming_shequ"])).content.decode()
    card = page[page.index('id="plan-vs-office"'):]
    card = card[:card.index("</table>")]
    assert card.count('text-bg-secondary">平台默认') == 5 and "从未写“否决”" in card
    actions.load_overlay(actor=None, scope=Scope.system(), path=write(tmp_path, OVERLAY))
    page = client.get(reverse("standards:detail", args=["wenming_shequ"])).content.decode()
    card = page[page.index('id="plan-vs-office"'):]
    card = card[:card.index("</table>")]
    assert "采用「2026 年文明社区考核细则」（城关区文明办，第 1 版）" in card
    assert "<del>80 分</del>" in card and "85 分" in card       # pass mark: ours → theirs
    assert "<del>连续3年无重大火灾事故、" in card                  # a veto item removed
    assert card.count('text-bg-secondary">平台默认') == 1                            # bonus cap unchanged
    assert "设定理由：区文明委 2026 年第 3 次会议决定提高合格线" in page


def test_the_cli_checks_and_loads_an_overlay(builtin: loader.LoadResult, tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, OVERLAY)
    call_command("standards", "overlay", str(path), "--check")
    assert "校验通过" in capsys.readouterr().out
    assert not StandardVersion.objects.filter(overlay_version__gt=0).exists()
    call_command("standards", "overlay", str(path))
    assert "已载入 wenming_shequ 第1版的本地设定第1版" in capsys.readouterr().out
    call_command("standards", "overlay", str(path))
    assert "未变" in capsys.readouterr().out
    bad = write(tmp_path, OVERLAY.replace("pass_mark: 85", "pass_mark: 120"), "bad.yaml")
    with pytest.raises(CommandError):
        call_command("standards", "overlay", str(bad))
    assert f"bad.yaml:{line_of(OVERLAY, 'pass_mark')}" in capsys.readouterr().err
