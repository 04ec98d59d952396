from chuangjian.inspections.models.bulletins import Accountability, Bulletin
from chuangjian.inspections.models.findings import (
    TIER_DEADLINE_DAYS,
    TIER_DEDUCTION,
    Finding,
    FindingPhoto,
    FindingSource,
    Severity,
)
from chuangjian.inspections.models.points import Point, PointType
from chuangjian.inspections.models.rectification import (
    OPEN_STATES,
    RUNNING_STATES,
    Escalation,
    ExtensionRequest,
    RectificationOrder,
    RectificationPhoto,
    Recurrence,
    State,
)
from chuangjian.inspections.models.reports import CitizenReport, FollowUp, ReportPhoto, ReportStatus
from chuangjian.inspections.models.rounds import (
    ChecklistItem,
    Round,
    RoundKind,
    RoundPoint,
    SupervisionGroup,
)

__all__ = [
    "OPEN_STATES", "RUNNING_STATES", "TIER_DEADLINE_DAYS", "TIER_DEDUCTION", "Accountability",
    "Bulletin", "ChecklistItem", "CitizenReport", "Escalation", "ExtensionRequest", "Finding",
    "FindingPhoto", "FindingSource", "FollowUp", "Point", "PointType", "RectificationOrder",
    "RectificationPhoto", "Recurrence", "ReportPhoto", "ReportStatus", "Round", "RoundKind", "RoundPoint",
    "Severity", "State", "SupervisionGroup",
]
