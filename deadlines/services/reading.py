"""Reading deadlines (counts, "mine", listings, the case and victim panels) and each person's
notification inbox."""

import datetime

from django.db.models import BooleanField, Count, Exists, ExpressionWrapper, F, OuterRef, Q
from django.shortcuts import get_object_or_404
from django.utils import timezone

import access
from cases.models import Case

from ..models import Deadline, Notification


def open_counts(cases, user=None):
    """Set on each case of the list `cases` `open_deadlines` (its pending deadlines) and
    `overdue_deadlines` (those of them past their date), in one grouped query. Given `user`,
    only the deadlines that user may see are counted: a deadline about a case can follow a more
    specific record of it (an order of a victim the user is kept away from, a defendant's
    detention) that the case's readers need not all see. One query for the cases shown, not a
    subquery per case: the deadline rule inside a per-case subquery made the planner reckon
    each case as costly as the whole rule (and compile the query)."""
    cases = list(cases)
    pending = Deadline.objects.filter(case__in=[case.pk for case in cases], status__in=Deadline.PENDING)
    if user is not None:
        pending = access.visible(user, pending)
    counts = {row["case"]: row for row in pending.order_by().values("case").annotate(
        n=Count("pk"), late=Count("pk", filter=Q(due_at__lt=timezone.now())))} if cases else {}
    for case in cases:
        row = counts.get(case.pk, {})
        case.open_deadlines, case.overdue_deadlines = row.get("n", 0), row.get("late", 0)
    return cases


def responsible(user):
    """SQL for "the user answers for it": personally, or as their agency when no person is named."""
    condition = Q(responsible_user=user)
    if user.agency_id is not None:  # never "no agency" matching deadlines nobody answers for
        condition |= Q(responsible_user__isnull=True, responsible_agency_id=user.agency_id)
    return condition


def mine(user):
    """Pending deadlines the user may see and is responsible for (personally or as agency)."""
    return access.visible(user, Deadline).filter(status__in=Deadline.PENDING).filter(responsible(user))


LISTED = ("case", "victim", "referral__victim", "protection_order", "responsible_user", "responsible_agency")


def listing(user):
    """The deadlines of the deadline page: every one the user may see, each annotated
    `may_change` and `case_visible`, soonest first; the page's filters (deadlines.filters,
    those of the API) narrow them. One query."""
    rows = access.with_permissions(user, Deadline.objects.all(), "change").select_related(*LISTED)
    return with_case_visible(user, rows)


def with_case_visible(user, deadlines):
    """Annotate `case_visible`: whether the user may see the deadline's case. A deadline seen
    through a victim's order need not open its case, and a restricted case's reference must
    not show through it."""
    return deadlines.annotate(case_visible=Exists(access.visible(user, Case.objects.filter(pk=OuterRef("case_id")))))


def on_case(user, case, *, recent_days=30):
    """The deadlines of a case the user may see, for its page: every pending one and those met
    or missed in the last `recent_days` days, each annotated `may_change`. One query."""
    return _on_page(user, Q(case=case), recent_days)


def on_victim(user, victim, *, recent_days=30):
    """The same for a victim's page: the deadlines about the victim (reflection period, permit,
    risk re-assessment...) the user may see."""
    return _on_page(user, Q(victim=victim), recent_days)


def _on_page(user, about, recent_days):
    since = timezone.now() - datetime.timedelta(days=recent_days)
    pending = Q(status__in=Deadline.PENDING)
    rows = Deadline.objects.filter(about).filter(pending | Q(closed_at__gte=since))
    # The pending ones first, soonest first; then what was met or missed, latest first.
    rows = rows.annotate(closed=ExpressionWrapper(~pending, output_field=BooleanField())).order_by(
        "closed", F("closed_at").desc(nulls_first=True), "due_at", "id")
    return access.with_permissions(user, rows, "change").select_related("responsible_user", "responsible_agency")


# --- Notifications: each person's own inbox -------------------------------------------------
# A notification is addressed to one person (the sweep and the violation service write them):
# nobody else reads or marks it, whatever their rights to what it is about.

def inbox(user):
    return Notification.objects.filter(recipient=user) if user.is_authenticated else Notification.objects.none()


def unread_count(user):
    return inbox(user).filter(read_at__isnull=True).count()


def mark_read(user, pk):
    """Mark the user's own notification `pk` read (404 for anyone else's); returns it."""
    notification = get_object_or_404(inbox(user), pk=pk)
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def mark_all_read(user):
    """Mark every unread notification of the user read; returns how many."""
    return inbox(user).filter(read_at__isnull=True).update(read_at=timezone.now())


