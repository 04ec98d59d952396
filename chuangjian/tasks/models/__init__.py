from chuangjian.tasks.models.meetings import Decision, Meeting, MeetingKind
from chuangjian.tasks.models.plans import GroupMember, GroupRole, Plan, PlanItem
from chuangjian.tasks.models.tasks import (
    OPEN_STATES,
    Origin,
    Priority,
    Recurrence,
    Task,
    TaskEscalation,
    TaskState,
    TaskUpdate,
)

__all__ = ["OPEN_STATES", "Decision", "GroupMember", "GroupRole", "Meeting", "MeetingKind",
           "Origin", "Plan", "PlanItem", "Priority", "Recurrence", "Task", "TaskEscalation",
           "TaskState", "TaskUpdate"]
