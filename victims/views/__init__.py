from .links import AddSupportView, EndSupportView, LinkCaseView, UnlinkCaseView
from .record import (
    ConsentCreateView, ConsentWithdrawView, IdentityUpdateView, NotAVictimView, StatusView, VerifyAdultView,
    VictimCreateView, VictimDetailView, VictimExportView, VictimListView, VictimUpdateView,
)
from .sections import (
    AsylumCreate, AsylumUpdate, CooperationEdit, CounsellingNoteCreate, DataRequestCreate, DataRequestUpdate,
    DetentionCreate, DetentionUpdate, DocumentCreate, DocumentUpdate, NonPunishmentCreate, ParticipationCreate,
    PermitCreate, PermitUpdate, ReflectionCreate, RelativeCreate, RelativeUpdate, ReturnCreate, RiskCreate,
    RiskUpdate, SafetyPlanCreate, SafetyPlanUpdate, ServiceCreate, ServiceUpdate,
)

__all__ = [
    "AddSupportView", "EndSupportView", "LinkCaseView", "UnlinkCaseView",
    "AsylumCreate", "AsylumUpdate", "ConsentCreateView", "ConsentWithdrawView", "CooperationEdit",
    "CounsellingNoteCreate", "DataRequestCreate", "DataRequestUpdate", "DetentionCreate", "DetentionUpdate",
    "DocumentCreate", "DocumentUpdate", "IdentityUpdateView", "NonPunishmentCreate", "NotAVictimView",
    "ParticipationCreate", "PermitCreate", "PermitUpdate", "ReflectionCreate", "RelativeCreate", "RelativeUpdate",
    "ReturnCreate", "RiskCreate", "RiskUpdate", "SafetyPlanCreate", "SafetyPlanUpdate", "ServiceCreate", "ServiceUpdate",
    "StatusView", "VerifyAdultView", "VictimCreateView", "VictimDetailView", "VictimExportView", "VictimListView",
    "VictimUpdateView",
]
