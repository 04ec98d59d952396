from chuangjian.assessment.models.results import (
    AssessmentRun,
    Kind,
    ReviewerScore,
    RunStatus,
    UnitResult,
)

__all__ = ["AssessmentRun", "Kind", "ReviewerScore", "RunStatus", "UnitResult"]
