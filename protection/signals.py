"""Signals other apps listen to, so that protection need not know them."""

from django.dispatch import Signal

# Sent inside the transaction of a review (protection.services.review), before the order is
# saved with its next review date: the pending review deadline is met (deadlines.signals).
order_reviewed = Signal()
# Sent inside the transaction that recorded a violation, with `recipients`, who must be told
# (violation_recipients): the notices are the notifications' (deadlines.signals) [SPEC 2.6].
violation_reported = Signal()
