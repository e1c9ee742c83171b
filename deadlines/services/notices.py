"""Notifications that are no deadline's: told once each, in the transaction of what they tell."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

import access

from ..models import Notification


def tell_of_violation(violation, recipients):
    """Tell `recipients` a protection order was violated and the victim's risk must be
    re-assessed [SPEC 2.6]: once each (the unique constraint: reporting the same violation
    again tells nobody twice)."""
    order = violation.order

    def case_for(user):
        # The case is named only to those who may open it (it may be restricted to its team).
        return f" ({order.case.reference})" if order.case_id and access.can(user, "view", order.case) else ""

    Notification.objects.bulk_create([
        Notification(recipient=user, kind=Notification.Kind.VIOLATION, violation=violation,
                     subject=_("Protection order violated: %(victim)s%(case)s") % {"victim": order.victim.code,
                                                                                   "case": case_for(user)},
                     body=_("A violation of the %(kind)s was reported on %(date)s. The victim's risk must be "
                            "re-assessed.") % {"kind": order.get_kind_display().lower(),
                                               "date": timezone.localtime(violation.occurred_at).date()},
                     url=reverse("protection-order-detail", args=[order.pk]))
        for user in recipients
    ], ignore_conflicts=True)
