"""What the pages of other apps read about protection orders [SPEC 2.6, SPEC 3]: the
"Protection orders" panels of the victim and case pages (added in ProtectionConfig.ready()).
The queries do not grow with the number of orders."""

from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce

import access
from cases.models import Case

from . import services
from .models import ProtectionOrder, Violation


def _violation_counts(orders):
    counted = (Violation.objects.filter(order=OuterRef("pk")).order_by().values("order")
               .annotate(n=Count("pk")).values("n"))
    return orders.annotate(violation_count=Coalesce(Subquery(counted, output_field=IntegerField()), 0))


def victim_orders(user, victim, may):
    """The victim's orders the user may see, and where the user may record a new one (for
    the victim alone, or in each of the victim's cases the user sees)."""
    orders = access.with_permissions(user, services.with_visibility(user, ProtectionOrder.objects.filter(
        victim=victim)), "change", "report_violation")
    orders = list(_violation_counts(orders).select_related("issuing_court", "case"))
    record_in = []
    if access.may_use(user, ProtectionOrder, "change"):
        cases = list(access.with_permissions(user, Case.objects.filter(victim_links__victim=victim), "view", "change")
                     .order_by("reference"))
        record_in = [case for case in cases if services.may_record_some(user, victim, case)]
    return {
        "protection_orders": orders,
        "may_record_order": services.may_record_some(user, victim) if access.may_use(user, ProtectionOrder, "change")
        else False,
        "record_order_in": record_in,
    }


def case_orders(user, case, may):
    """The case's orders the user may see. One query."""
    orders = access.visible(user, ProtectionOrder.objects.filter(case=case)).select_related(
        "victim", "issuing_court").order_by("-issued_on", "-id")
    return {"protection_orders": list(orders)}
