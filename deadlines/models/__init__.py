from .deadlines import Deadline
from .notifications import Notification, SweepFailure, SweepRun

__all__ = ["Deadline", "Notification", "SweepFailure", "SweepRun"]
