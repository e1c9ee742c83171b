from .case import CaseViewSet
from .sections import (
    AppealViewSet, AssetViewSet, AssignmentViewSet, ChargeViewSet, CompensationClaimViewSet,
    CooperationRequestViewSet, DefendantViewSet, MeetingViewSet, NoteViewSet, StageChangeViewSet, VerdictViewSet,
)

# Route prefix -> viewset, registered in config/api_urls.py.
ROUTES = {
    "cases": CaseViewSet,
    "defendants": DefendantViewSet,
    "charges": ChargeViewSet,
    "verdicts": VerdictViewSet,
    "appeals": AppealViewSet,
    "assets": AssetViewSet,
    "cooperation-requests": CooperationRequestViewSet,
    "compensation-claims": CompensationClaimViewSet,
    "meetings": MeetingViewSet,
    "notes": NoteViewSet,
    "assignments": AssignmentViewSet,
    "stage-changes": StageChangeViewSet,
}
