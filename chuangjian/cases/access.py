"""Who may read which part of a case (逐字段授权), decided from capabilities and the
people the case names, never from role names.

- ``identity``: the person's name, masked ID number, type, dates, risk, 社工, team.
  The responsible 社工, the team's users, the 包帮领导, a supervisor in scope
  (``SUPERVISE_CASES``), and the recipient of a live referral.
- ``notes``: visit notes, test results, relapses, employment help. The 社工, the team,
  a supervisor; the leader only where their own roles carry ``VIEW_CASE_NOTES``.
- ``reveal``: the full ID number, on request and logged. The 社工, the team, a
  supervisor.
- ``work``: record visits, tests and the rest. The 社工, the team, a supervisor.
- ``manage``: close, transfer, refer, change the team. The 社工 and a supervisor.

Everyone else who may see the unit (a plain worker, a neighbouring community, a
street leader without a case role, levels above) sees counts and rates only.
The command-line system scope sees everything, for maintenance.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from chuangjian.cases.models import Case
from chuangjian.org.scope import Cap, Scope


@dataclass(frozen=True)
class Access:
    identity: bool = False
    notes: bool = False
    reveal: bool = False
    work: bool = False
    manage: bool = False
    referral_only: bool = False

    @property
    def any(self) -> bool:
        return self.identity


NONE = Access()
FULL = Access(identity=True, notes=True, reveal=True, work=True, manage=True)


def access_to(case: Case, *, scope: Scope, today: dt.date) -> Access:
    """What ``scope`` may read and do on ``case`` (team and referrals prefetched or queried)."""
    if scope.user_id is None:
        return FULL if scope.is_global else NONE
    uid = scope.user_id
    if case.anonymised_at is not None:
        return NONE
    supervisor = scope.allows(case.unit, Cap.SUPERVISE_CASES)
    if supervisor or case.caseworker_id == uid:
        return FULL
    team_ids = {m.user_id for m in case.team.all() if m.user_id}
    if uid in team_ids:
        return Access(identity=True, notes=True, reveal=True, work=True)
    if case.leader_id == uid:
        return Access(identity=True, notes=scope.allows(case.unit, Cap.VIEW_CASE_NOTES))
    if any(r.recipient_id == uid and r.active_on(today) for r in case.referrals.all()):
        return Access(identity=True, referral_only=True)
    return NONE
