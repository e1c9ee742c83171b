from .courts import Courtroom, JudgeUnavailability
from .feeds import CalendarFeedToken
from .hearings import Hearing, HearingWitness, Party, SpecialMeasure

__all__ = ["CalendarFeedToken", "Courtroom", "Hearing", "HearingWitness", "JudgeUnavailability", "Party", "SpecialMeasure"]
