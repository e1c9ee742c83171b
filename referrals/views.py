"""The referral pages [SPEC 2.4]: the inbox, the directory of service providers (and an
agency's own entry), referring a victim, a referral's page and the steps taken on it.

Every read asks the access policy; every referral is written through referrals.services,
which asks it again.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef
from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views import View
from django.views.generic import FormView, ListView, TemplateView

import access
from access.mixins import FilteredListMixin, add_errors
from victims.models import Victim

from . import services
from .filters import ReferralFilter, ServiceProviderFilter
from .forms import (
    AssignForm, InboxPagesForm, ReferForm, ServiceProviderForm, StepForm, receiving_agencies,
    receiving_staff,
)
from .models import Referral, ReferralNotice, ServiceProvider


def uses_referrals(user):
    """Whether the user's functions take part in referrals at all, on behalf of an agency."""
    return bool(user.is_authenticated and user.agency_id and access.may_use(user, Referral))


may_edit_directory = services.may_keep_directory_entry


def detail_url(referral):
    return referral.get_absolute_url()


class ReferralsMixin(LoginRequiredMixin):
    """Pages for the people who send and receive referrals."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not uses_referrals(request.user):
            raise PermissionDenied(_("Referrals are sent and received by agencies' case workers and officers."))
        return super().dispatch(request, *args, **kwargs)


# --- Inbox ------------------------------------------------------------------------------------

BOXES = [  # (key, heading, empty text)
    ("overdue", gettext_lazy("Overdue: no answer yet"), gettext_lazy("Nothing overdue.")),
    ("incoming", gettext_lazy("Incoming"), gettext_lazy("No open referral to your agency.")),
    ("assigned_to_me", gettext_lazy("Recently assigned to me"),
     gettext_lazy("Nothing assigned to you in the last two weeks.")),
    ("outgoing", gettext_lazy("Outgoing"), gettext_lazy("No open referral from your agency.")),
]


class InboxView(ReferralsMixin, TemplateView):
    """The referral inbox of the user's agency: each box counted and paged on its own (a national
    NGO receives thousands), two queries per box whatever the number of rows. Filtered as GET
    /api/referrals/ is (?box= shows that box alone) [SPEC 2.4]."""

    template_name = "referrals/inbox.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        unread = ReferralNotice.objects.filter(referral=OuterRef("pk"), agency=user.agency_id, read_at__isnull=True)
        now = timezone.now()
        queries = services.inbox(user, now=now)
        filters = ReferralFilter(self.request.GET, queryset=Referral.objects.none(), request=self.request)
        chosen = filters.chosen_box()
        pages = InboxPagesForm(self.request.GET or None)
        boxes = []
        for key, heading, empty in BOXES:
            if chosen not in (None, key):
                continue
            rows = filters.narrow(queries[key]).annotate(unread=Exists(unread))
            paginator = Paginator(rows, settings.REFERRAL_INBOX_ROWS)
            page = paginator.get_page(pages.page(key))
            for row in page.object_list:
                row.overdue = row.is_overdue(now)
            boxes.append({"key": key, "heading": heading, "empty": empty, "page": page, "rows": page.object_list,
                          "param": f"{key}_page"})
        return super().get_context_data(boxes=boxes, filter=filters, may_edit_directory=may_edit_directory(user),
                                        **kwargs)


# --- Directory --------------------------------------------------------------------------------

class DirectoryView(ReferralsMixin, FilteredListMixin, ListView):
    """Service providers, searched as GET /api/service-providers/ is, by service, language, area
    (a national provider serves every area) and children [SPEC 2.4]: one query."""

    queryset = ServiceProvider.objects.filter(agency__is_active=True).select_related("agency")
    filterset_class = ServiceProviderFilter
    context_object_name = "entries"
    template_name = "referrals/directory.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        may_edit = may_edit_directory(user)
        asked = [value for value in self.filterset.form.cleaned_data.values() if value not in (None, "")]
        return super().get_context_data(
            filtered=bool(asked or self.filterset.errors), may_edit=may_edit,
            has_entry=may_edit and ServiceProvider.objects.filter(agency=user.agency_id).exists(), **kwargs)


class DirectoryEditView(ReferralsMixin, FormView):
    """The user's own agency's entry, created on first save."""

    template_name = "referrals/directory_form.html"
    form_class = ServiceProviderForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not may_edit_directory(request.user):
            raise PermissionDenied(_("An agency's caseworkers and officers keep its directory entry."))
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        user = self.request.user
        entry = ServiceProvider.objects.filter(agency=user.agency_id).first()
        return {**super().get_form_kwargs(), "instance": entry or ServiceProvider(agency=user.agency)}

    def get_context_data(self, **kwargs):
        return super().get_context_data(agency=self.request.user.agency, **kwargs)

    def form_valid(self, form):
        try:
            entry = services.save_directory_entry(form.save(commit=False), actor=self.request.user)
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(self.request, _("The directory entry of %(agency)s is saved.") % {"agency": entry.agency})
        return redirect("referral-directory")


# --- Referring a victim -----------------------------------------------------------------------

class ReferView(LoginRequiredMixin, FormView):
    """Refer a victim to an agency in the directory. Consent is checked by the service: on a
    missing consent its message is shown and nothing is written."""

    template_name = "referrals/refer.html"
    form_class = ReferForm

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.victim = access.load_or_404(request.user, Victim, "refer", pk=kwargs["pk"])
        if not request.user.agency_id:
            raise PermissionDenied(_("Referrals are sent on behalf of an agency."))
        self.agencies = list(receiving_agencies(request.user))
        self.consents = services.referral_consents(self.victim)
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        user = self.request.user
        return {**super().get_form_kwargs(), "user": user, "agencies": receiving_agencies(user),
                "consented": self.consents, "may_override": access.may(user, "override_consent")}

    def get_initial(self):
        chosen = self.request.GET.get("to", "")
        return {"to_agency": chosen} if chosen.isdigit() else {}

    def get_context_data(self, **kwargs):
        for agency in self.agencies:
            agency.consent = self.consents.get(agency.pk)
        kwargs.setdefault("form", self.get_form())
        chosen = str(kwargs["form"]["to_agency"].value() or "")
        chosen = next((agency for agency in self.agencies if str(agency.pk) == chosen), None)
        return super().get_context_data(victim=self.victim, agencies=self.agencies, chosen=chosen, **kwargs)

    def form_valid(self, form):
        try:
            referral = services.send_referral(self.victim, actor=self.request.user, **form.service_kwargs())
        except ValidationError as error:
            add_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("%(victim)s is referred to %(agency)s.") % {
            "victim": self.victim.code, "agency": referral.to_agency})
        return redirect(detail_url(referral))


# --- A referral -------------------------------------------------------------------------------

STEP_LABELS = {
    "accept": gettext_lazy("Accept"),
    "decline": gettext_lazy("Decline"),
    "start": gettext_lazy("First service given"),
    "complete": gettext_lazy("Mark completed"),
    "withdraw": gettext_lazy("Withdraw the referral"),
}
STEP_DONE = {
    "accept": gettext_lazy("Referral accepted."),
    "decline": gettext_lazy("Referral declined."),
    "start": gettext_lazy("The first service is recorded: the referral is in progress."),
    "complete": gettext_lazy("Referral completed."),
    "withdraw": gettext_lazy("Referral withdrawn."),
}


TIMINGS = [
    ("identification_to_referral", gettext_lazy("Identification → referral")),
    ("referral_to_acceptance", gettext_lazy("Referral → acceptance")),
    ("acceptance_to_first_service", gettext_lazy("Acceptance → first service")),
]


def duration(delta):
    """A time span for people: "3 days 4 h", "5 h 20 min", "12 min"; "—" when not reached."""
    if delta is None:
        return "—"
    minutes = max(int(delta.total_seconds()) // 60, 0)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    parts = []
    if days:
        parts.append(ngettext("%(n)d day", "%(n)d days", days) % {"n": days})
    if hours or (days and minutes):
        parts.append(_("%(n)d h") % {"n": hours})
    if minutes and not days:
        parts.append(_("%(n)d min") % {"n": minutes})
    return " ".join(parts) or _("less than a minute")


def timing_rows(spans):
    rows = []
    for key, label in TIMINGS:
        span = spans[key]
        if key == "identification_to_referral" and span is not None:
            # Identification is a date: whole days.
            rows.append((label, ngettext("%(n)d day", "%(n)d days", span.days) % {"n": span.days}))
        else:
            rows.append((label, duration(span)))
    return rows


def load_referral(user, pk):
    """The referral with the user's rights on it, or 404 for someone who may not see it."""
    return access.load_or_404(
        user, Referral.objects.select_related("victim", "from_agency", "to_agency", "assigned_to", "sent_by",
                                              "consent"), "view", pk=pk)


def step_buttons(referral, user):
    """The steps the viewer may take now, as the page shows them (assigning has its own form)."""
    return [{"name": name, "label": STEP_LABELS[name], "needs_reason": services.STEPS[name][3],
             "assign": name == "accept"}
            for name in services.available_steps(referral, user) if name in services.STEPS]


class ReferralDetailView(LoginRequiredMixin, TemplateView):
    template_name = "referrals/referral_detail.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        referral = load_referral(user, self.kwargs["pk"])
        if referral.may_respond:
            services.mark_notice_read(referral, user)
        steps = services.available_steps(referral, user)
        may_assign = "assign" in steps
        staff = list(receiving_staff(referral)) if may_assign else []
        return super().get_context_data(
            referral=referral, victim=referral.victim,
            may_view_victim=access.can(user, "view", referral.victim),
            may_view_summary=services.may_see_victim_summary(user, referral.victim),
            events=referral.events.select_related("by"), timings=timing_rows(services.timings(referral)),
            overdue=referral.is_overdue(), steps=step_buttons(referral, user), staff=staff,
            assign_form=AssignForm(referral=referral, initial={"assigned_to": referral.assigned_to_id})
            if may_assign else None, **kwargs)


class ReferralStepView(LoginRequiredMixin, View):
    """One step, chosen on the referral's page. Someone who may not see the referral gets 404,
    the wrong side 403; the service decides the rest and says why it refuses."""

    def post(self, request, pk, step):
        if step not in services.STEPS:
            raise Http404
        referral = load_referral(request.user, pk)
        access.require(request.user, services.STEPS[step][2], referral)
        form = StepForm(request.POST, referral=referral)
        if not form.is_valid():
            messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
            return redirect(detail_url(referral))
        try:
            services.move(referral, step, actor=request.user, reason=form.cleaned_data["reason"],
                          assigned_to=form.cleaned_data["assigned_to"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, STEP_DONE[step])
        return redirect(detail_url(referral))


class ReferralAssignView(LoginRequiredMixin, View):
    """The receiving agency hands the referral to one of its people."""

    def post(self, request, pk):
        referral = load_referral(request.user, pk)
        access.require(request.user, "respond", referral)
        form = AssignForm(request.POST, referral=referral)
        if not form.is_valid():
            messages.error(request, _("Choose someone of %(agency)s.") % {"agency": referral.to_agency})
            return redirect(detail_url(referral))
        try:
            services.assign(referral, form.cleaned_data["assigned_to"], actor=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Assigned to %(user)s.") % {"user": form.cleaned_data["assigned_to"]})
        return redirect(detail_url(referral))


__all__ = ["InboxView", "DirectoryView", "DirectoryEditView", "ReferView", "ReferralDetailView",
           "ReferralStepView", "ReferralAssignView"]
