from .courts import Courtroom, JudgeUnavailability
from .deadlines import Deadline
from .feeds import CalendarFeedToken
from .hearings import Hearing, HearingWitness, Party, SpecialMeasure
from .notifications import Notification, SweepFailure, SweepRun

__all__ = [
    "CalendarFeedToken", "Courtroom", "Deadline", "Hearing", "HearingWitness", "JudgeUnavailability", "Notification",
    "Party", "SpecialMeasure", "SweepFailure", "SweepRun",
]
