"""The scope contract (decision 0017): every action and selector takes ``scope`` as a
required keyword-only argument, so a caller can never forget it and nothing silently
falls back to the all-seeing system scope.

The modules are found on disk (every ``<app>/actions.py``, ``<app>/actions/*.py`` and
``<app>/selectors.py``), so a new app or a new function is checked without anyone
remembering to list it. A public function that really reads or writes nothing of the
org tree goes into ``NOT_SCOPED`` with the reason; a reviewer sees the line.
"""

from __future__ import annotations

import importlib
import inspect
from pathlib import Path

import chuangjian

ROOT = Path(chuangjian.__file__).parent

# Public functions of action and selector modules that take no scope, each with why.
NOT_SCOPED: dict[str, str] = {
    # Pure helpers: they parse, format or compute, and read no rows.
    "assessment.actions.parse_kind": "parses a kind's name",
    "assessment.actions.standard_version": "the standard's text, the same for everyone",
    "assessment.selectors.readable": "formats an expression for people",
    "assessment.selectors.spec_of": "the parsed standard of a run already read in scope",
    "assessment.selectors.target_threshold": "arithmetic on a standard's target",
    "evidence.actions.today": "the date in Asia/Shanghai",
    "evidence.actions.activity_url": "builds a link",
    "org.actions.today": "the date in Asia/Shanghai",
    "accounts.actions.home_unit": "the unit a user's own sign-in events are filed under",
    "reporting.actions.parent_path": "string arithmetic on a path",
    "reporting.actions.resolve": "looks up a data set definition",
    "reporting.actions.check_values": "validates posted values against a data set",
    "reporting.actions.outliers": "compares values with each other",
    "reporting.actions.accepted_text": "formats a message",
    "reporting.actions.lock_text": "formats a message",
    "inspections.actions.bulletins.short_issuer": "formats a name",
    "inspections.actions.common.deny_unless": "raises when a given condition is false",
    "inspections.actions.common.local_day": "the date in Asia/Shanghai",
    "inspections.actions.common.coordinates": "parses a latitude and longitude",
    "inspections.actions.points.next_code": "the next free point code (codes are global)",
    "inspections.actions.rectification.illegal_message": "formats a message",
    "inspections.actions.rectification.default_deadline": "date arithmetic",
    "inspections.actions.reports.new_code": "a random follow-up code",
    "inspections.actions.reports.client_hash": "hashes a client address",
    "surveys.actions.client_hash": "hashes a client address",
    "org.selectors.path_on": "builds a query expression; the caller filters by scope",
    "org.selectors.paths_on": "paths of units the caller already read in scope",
    "org.selectors.subtree_on": "history of a unit the caller already read in scope",
    "org.selectors.moved_since": "history of units the caller already read in scope",
    # The names above a unit are shown to everyone in it (breadcrumbs): not secret.
    "org.selectors.ancestors": "the chain of units above, shown in every breadcrumb",
    "org.selectors.names_by_id": "names of ancestors for breadcrumbs of scoped results",
    # The standards catalogue is national text, the same for every reader.
    "evidence.selectors.activity_types": "the catalogue of activity types",
    "evidence.selectors.standard_in_force": "the standards catalogue",
    "evidence.selectors.standards_for_unit": "the standards catalogue",
    "evidence.selectors.indicators_for": "the standards catalogue",
    "evidence.selectors.window": "the standards catalogue",
    "evidence.selectors.expression_elements": "parses an expression",
    "standards.actions.class_standard": "the standards catalogue",
    "standards.actions.class_period": "parses a year or a quarter",
    "standards.actions.class_named": "a class of a standard, from the catalogue",
    "jobs.actions.stale_after": "a setting",
    "jobs.actions.is_stale": "the state of a job already read through job_for",
    "standards.selectors.unit_matches": "compares a unit's class with a standard's",
    "standards.selectors.current_standards": "the standards catalogue",
    "standards.selectors.standard_for": "the standards catalogue",
    "standards.selectors.standard_table": "the standards catalogue",
    # The public 随手拍 desk: residents have no account and so no scope.
    "inspections.actions.reports.submit_report": "anonymous residents report anywhere",
    "inspections.actions.reports.answer_follow_up": "the resident holding the secret code",
    "inspections.selectors.report_by_code": "the resident holding the secret code",
    # Reads within one bulletin's issuer, chosen by the caller after its scope check.
    "inspections.actions.bulletins.default_issuer": "the issuer of a unit in scope",
    "inspections.actions.common.notify": "sends a message to people already chosen",
    "inspections.actions.common.store_photos": "stores uploads; the caller checked scope",
    "inspections.actions.rectification.escalation_chain":
        "the people above an order already read in scope",
    # Reads below one object the caller already obtained through its scoped selector.
    "reporting.actions.stored_values": "values of a unit the caller read in scope",
    "reporting.actions.active_exception": "exceptions of a unit the caller read in scope",
    "reporting.actions.deadline_lock": "the lock of a submission the caller read in scope",
    "inspections.selectors.round_points": "points of a round read through round_for",
    "inspections.selectors.finding_photos": "photos of a finding read through finding_for",
    "inspections.selectors.timeline": "history of an order read through order_for",
    "inspections.selectors.escalations_of": "escalations of an order read through order_for",
    "inspections.selectors.extensions_of": "extensions of an order read through order_for",
}


def _modules() -> list[str]:
    files = [*ROOT.glob("*/actions.py"), *ROOT.glob("*/actions/*.py"), *ROOT.glob("*/selectors.py")]
    names = []
    for path in sorted(files):
        parts = path.relative_to(ROOT.parent).with_suffix("").parts
        if parts[-1] != "__init__":
            names.append(".".join(parts))
    return names


def _public_functions() -> list[tuple[str, inspect.Signature]]:
    found = []
    for name in _modules():
        module = importlib.import_module(name)
        for attr, value in vars(module).items():
            if attr.startswith("_") or not inspect.isfunction(value):
                continue
            if value.__module__ != module.__name__:
                continue  # imported from elsewhere; checked where it is defined
            short = f"{name.removeprefix('chuangjian.')}.{attr}"
            found.append((short, inspect.signature(inspect.unwrap(value))))
    return found


def test_the_contract_finds_the_modules_of_every_app() -> None:
    modules = _modules()
    for expected in ("chuangjian.org.actions", "chuangjian.org.selectors",
                     "chuangjian.reporting.actions", "chuangjian.inspections.actions.findings",
                     "chuangjian.jobs.selectors"):
        assert expected in modules
    assert len(_public_functions()) > 100


def test_every_action_and_selector_takes_scope_as_a_required_keyword() -> None:
    wrong = []
    for name, signature in _public_functions():
        if name in NOT_SCOPED:
            continue
        param = signature.parameters.get("scope")
        if param is None:
            wrong.append(f"{name}: no scope")
        elif param.kind is not inspect.Parameter.KEYWORD_ONLY:
            wrong.append(f"{name}: scope is not keyword-only")
        elif param.default is not inspect.Parameter.empty:
            wrong.append(f"{name}: scope has a default ({param.default!r})")
    assert wrong == [], "\n".join(wrong)


def test_every_exemption_still_names_a_function_without_scope() -> None:
    signatures = dict(_public_functions())
    stale = [name for name in NOT_SCOPED
             if name not in signatures or "scope" in signatures[name].parameters]
    assert stale == []
