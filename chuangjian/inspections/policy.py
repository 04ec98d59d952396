"""Who may do what to inspection records — the rules the actions enforce and the pages
ask, so a button is shown exactly when the action would be allowed."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from chuangjian.inspections.models import RectificationOrder, Round, State
from chuangjian.org.models import Unit
from chuangjian.org.scope import Cap, Scope

TRANSITION_LABELS = {
    "dispatch": _("派单"),
    "accept": _("接单"),
    "reject": _("退回（非本单位职责）"),
    "submit": _("提交整改"),
    "close": _("复核通过，销号"),
    "send_back": _("复核不通过，返工"),
    "reopen": _("问题复发，重新派单"),
    "cancel": _("撤销"),
}
# The side of the loop each transition belongs to.
SUPERVISOR_TRANSITIONS = {"dispatch", "close", "send_back", "reopen", "cancel"}
HANDLER_TRANSITIONS = {"accept", "reject", "submit"}


def may_inspect(scope: Scope, unit: Unit) -> bool:
    return scope.allows(unit, Cap.INSPECT)


def may_organise(scope: Scope, round_: Round) -> bool:
    return scope.allows(round_.unit, Cap.INSPECT)


def may_see_hidden(scope: Scope, round_: Round) -> bool:
    """Results of an unpublished 明察暗访 are for the organisers only."""
    return scope.allows(round_.unit, Cap.INSPECT) or scope.allows(round_.unit, Cap.APPROVE)


def may_supervise(scope: Scope, order: RectificationOrder) -> bool:
    """Dispatch, verify, decide extensions: the inspectors over the problem's place."""
    finding = order.finding
    if scope.allows(finding.unit, Cap.INSPECT):
        return True
    return finding.round is not None and scope.allows(finding.round.unit, Cap.INSPECT)


def may_handle(scope: Scope, order: RectificationOrder) -> bool:
    """Accept, return, rectify, ask for time: the people of the responsible unit."""
    return order.assignee_unit is not None and scope.allows(order.assignee_unit,
                                                            Cap.ENTER_DATA)


def available_transitions(order: RectificationOrder) -> list[str]:
    return [t.name for t in order.get_available_state_transitions()]  # type: ignore[attr-defined]


def allowed_for(scope: Scope, user: Any, order: RectificationOrder) -> list[str]:
    """Transitions this person may take now (for the buttons)."""
    names = available_transitions(order)
    supervise, handle = may_supervise(scope, order), may_handle(scope, order)
    out = []
    for name in names:
        if name in SUPERVISOR_TRANSITIONS and supervise:
            if name in ("close", "send_back") and order.rectified_by_id == getattr(user, "pk", None):
                continue  # 复核 by someone other than the rectifier
            if name == "dispatch" and order.finding.hidden:
                continue
            out.append(name)
        elif name in HANDLER_TRANSITIONS and handle:
            out.append(name)
    return out


def may_request_extension(scope: Scope, order: RectificationOrder) -> bool:
    return may_handle(scope, order) and order.state in (State.DISPATCHED, State.ACCEPTED,
                                                        State.REWORK)
