from chuangjian.evidence.models.activities import Activity, ActivityFile, ActivityType
from chuangjian.evidence.models.links import EvidenceDocument, EvidenceLink, EvidenceWindow

__all__ = ["Activity", "ActivityFile", "ActivityType", "EvidenceDocument", "EvidenceLink",
           "EvidenceWindow"]
