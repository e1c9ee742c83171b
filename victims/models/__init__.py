from .care import AssistanceService, Consent, CooperationWithAuthorities, CounsellingNote  # noqa: F401
from .justice import DataSubjectRequest, Detention, NonPunishmentDecision, ParticipationEntry  # noqa: F401
from .record import (  # noqa: F401
    HTCDS_TRAFFICKING_STATUS, IDENTITY_FIELDS, MAILING_ADDRESS_FIELDS, SHELTER_FIELDS, IdentityDocument,
    StatusDecision, Victim, VictimCaseLink, VictimGroupObjectPermission, VictimIdentity, VictimSupport,
    VictimUserObjectPermission, new_victim_code,
)
from .residence import AsylumClaim, ReflectionPeriod, ResidencePermit, Return  # noqa: F401
from .safety import ProtectedRelative, RiskAssessment, SafetyPlan  # noqa: F401
from .vocabularies import Gender, IdentificationChannel, Indicator, MethodOfControl, Recruitment, RecruitmentLure  # noqa: F401
