from .case import CaseCreateView, CaseDetailView, CaseListView, CaseMoveView, CaseUpdateView
from .sections import (
    AppealCreate, AppealUpdate, AssetCreate, AssetUpdate, ChargeCreate, ChargeUpdate, CompensationCreate,
    CompensationUpdate, CooperationCreate, CooperationUpdate, DefendantCreate, DefendantUpdate, MeetingCreate,
    NoteCreate, VerdictCreate, VerdictUpdate,
)
from .team import AssignView, EndAssignmentView, ExcludeView

__all__ = [
    "AppealCreate", "AppealUpdate", "AssetCreate", "AssetUpdate", "AssignView", "CaseCreateView", "CaseDetailView",
    "CaseListView", "CaseMoveView", "CaseUpdateView", "ChargeCreate", "ChargeUpdate", "CompensationCreate",
    "CompensationUpdate", "CooperationCreate", "CooperationUpdate", "DefendantCreate", "DefendantUpdate",
    "EndAssignmentView", "ExcludeView", "MeetingCreate", "NoteCreate", "VerdictCreate", "VerdictUpdate",
]
