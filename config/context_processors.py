from django.urls import reverse
from django.utils.translation import gettext_lazy as _

import access
from accounts.two_factor import owed
from cases.models import Case
from deadlines.models import Deadline
from deadlines.services import unread_count
from hearings.models import Hearing, JudgeUnavailability
from referrals.models import Referral
from victims.models import Victim


def navigation(request):
    """Navigation entries depend on what the user's functions allow; the only query is the
    count of the user's unread notifications (`nav_unread`). None while a second factor is owed."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": [], "nav_unread": 0}

    if owed(user):  # nothing opens before the second factor: no menu to follow yet
        return {"nav": [], "nav_unread": 0}

    entries = [(reverse("home"), _("Home"))]
    if access.may_use(user, Case):
        entries.append((reverse("case-list"), _("Cases")))
    if access.may(user, "see_prosecutor_dashboard"):
        entries.append((reverse("prosecutor-dashboard"), _("My cases")))
    if access.may(user, "see_supervisor_dashboard"):
        entries.append((reverse("supervisor-dashboard"), _("Supervision")))
    if access.may_use(user, Case, "coordinate"):
        entries.append((reverse("coordination-report"), _("Coordination")))
        entries.append((reverse("statistics"), _("Statistics")))
    if access.may_use(user, Victim):
        entries.append((reverse("victim-list"), _("Victims")))
    if access.may_use(user, Victim, "view_identity"):
        entries.append((reverse("htcds"), _("HTCDS exchange")))
    if access.may_use(user, Referral) and user.agency_id:
        entries.append((reverse("referral-inbox"), _("Referrals")))
    if access.may_use(user, Hearing) or access.may_use(user, Deadline):
        entries.append((reverse("calendar"), _("Calendar")))
    if access.may_use(user, Deadline):
        entries.append((reverse("deadline-list"), _("Deadlines")))
    if access.may_use(user, JudgeUnavailability, "change"):
        entries.append((reverse("judge-unavailability"), _("Judges' absences")))
    unread = unread_count(user)
    entries.append((reverse("notifications"), _("Notifications (%(count)d)") % {"count": unread}))
    if access.may(user, "read_access_log"):
        entries.append((reverse("access-log"), _("Access log")))
    if user.is_staff:
        entries.append((reverse("admin:index"), _("Administration")))
    entries.append((reverse("api-docs"), _("API")))
    return {"nav": entries, "nav_unread": unread}
