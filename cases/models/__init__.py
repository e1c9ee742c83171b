from .assets import Asset, CompensationClaim
from .case import (
    Case, CaseAgency, CaseAssignment, CaseExclusion, CaseGroupObjectPermission, CaseStageChange,
    CaseUserObjectPermission, StageTimeStandard,
)
from .coordination import CooperationRequest, CoordinationMeeting
from .defendants import Appeal, Charge, Defendant, Verdict
from .notes import CaseNote
from .vocabularies import Act, CaseOrigin, ExploitationForm, InvestigationType, Means, Offence, PerpetratorRole

__all__ = [
    "Act", "Appeal", "Asset", "Case", "CaseAgency", "CaseAssignment", "CaseExclusion", "CaseGroupObjectPermission",
    "CaseNote", "CaseOrigin", "CaseStageChange", "CaseUserObjectPermission", "Charge", "CompensationClaim",
    "CooperationRequest", "CoordinationMeeting", "Defendant", "ExploitationForm", "InvestigationType", "Means",
    "Offence", "PerpetratorRole", "StageTimeStandard", "Verdict",
]
