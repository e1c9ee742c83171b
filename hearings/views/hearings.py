"""Hearing pages [SPEC 2.5]: setting, moving, adjourning and closing a hearing, its witnesses
and their special measures, and judges' non-availability.

Every read asks the access policy; every write goes through hearings.services, which asks it
again and runs the scheduling checks. A check that only warns comes back to the person with
the warnings and a box to tick ("save anyway"); the warnings' keys travel with the form, so a
warning that appears between the two posts is asked about again. An absolute problem is shown
as an error and nothing is written.
"""

import datetime

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, IntegerField, OuterRef, Prefetch, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.generic import CreateView, DetailView, FormView, UpdateView

import access
from access.mixins import add_errors
from cases.models import Case

from .. import scheduling, services
from ..forms.hearings import (
    AdjournForm, CloseForm, HearingForm, HearingWitnessForm, JudgeUnavailabilityForm, SpecialMeasureForm,
)
from ..models import Hearing, HearingWitness, JudgeUnavailability, SpecialMeasure
from ..scheduling import ScheduleWarnings

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
HEARING_RELATED = ("case", "court", "courtroom", "judge", "prosecutor", "adjourned_to", "adjourned_from")


def load(request, queryset, action, **lookup):
    """The object through the access policy (locked when the request writes), or 404 / 403."""
    writing = request.method not in SAFE_METHODS
    obj = access.get_object(request.user, queryset, for_update=writing, **lookup)
    if obj is None:
        raise Http404
    access.require(request.user, action, obj)
    return obj


def hearing_anchor(hearing, anchor=""):
    return reverse("hearing-detail", args=[hearing.pk]) + (f"#{anchor}" if anchor else "")


class ScheduleFormMixin(LoginRequiredMixin):
    """Writes through a service that may answer ScheduleWarnings or ValidationError."""

    template_name = "hearings/hearing_form.html"
    heading = ""
    submit_label = gettext_lazy("Save")

    def confirmed(self):
        """The warnings the person ticked "save anyway" for: exactly those they were shown."""
        if self.request.POST.get("confirm_warnings"):
            return tuple(self.request.POST.getlist("confirmed"))
        return ()

    def write(self, form, service):
        """Run `service(confirmed)`; on a refusal re-render the form. Returns (result, response)."""
        try:
            return service(self.confirmed()), None
        except ScheduleWarnings as warnings:
            return None, self.render_to_response(self.get_context_data(form=form, warnings=warnings.problems))
        except ValidationError as error:
            add_errors(form, error)
            return None, self.form_invalid(form)

    def get_context_data(self, **kwargs):
        kwargs.setdefault("heading", self.heading)
        kwargs.setdefault("submit_label", self.submit_label)
        return super().get_context_data(**kwargs)


class HearingPartMixin(ScheduleFormMixin):
    """Pages about one hearing: it comes from the URL through the policy (`hearing_action`)."""

    hearing_action = "change"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.hearing = self.get_hearing()
        return super().dispatch(request, *args, **kwargs)

    def get_hearing(self):
        return load(self.request, Hearing.objects.select_related("case", "court", "courtroom"), self.hearing_action,
                    pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        kwargs.setdefault("hearing", self.hearing)
        kwargs.setdefault("cancel_url", hearing_anchor(self.hearing))
        return super().get_context_data(**kwargs)


# --- Setting and moving a hearing ----------------------------------------------------------------

class HearingCreateView(ScheduleFormMixin, CreateView):
    model = Hearing
    form_class = HearingForm
    heading = gettext_lazy("Set a hearing")

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not access.may_use(request.user, Hearing, "change"):
            raise PermissionDenied(_("Prosecutors, supervisors and court staff set hearings."))
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        # A case the user may not see is offered by its reference only.
        cases = access.rule_for(Case).annotate(self.request.user, form.fields["case"].queryset, ("view",))
        form.fields["case"].queryset = cases
        form.fields["case"].label_from_instance = (
            lambda case: f"{case.reference} — {case.title}" if case.may_view else case.reference)
        return form

    def get_initial(self):
        initial = super().get_initial()
        user = self.request.user
        if user.has_function("prosecutor"):
            initial["prosecutor"] = user.pk
        if user.agency_id and user.agency.kind == "court":
            initial["court"] = user.agency_id
        chosen = self.request.GET.get("case", "")
        case = services.schedulable_cases(user).filter(pk=int(chosen)).first() if chosen.isdigit() else None
        if case is not None:
            initial["case"] = case.pk
            if case.court_id and "court" not in initial:
                initial["court"] = case.court_id
        return initial

    def get_context_data(self, **kwargs):
        form = kwargs.get("form")
        case_id = form["case"].value() if form is not None and "case" in form.fields else None
        if case_id and str(case_id).isdigit():
            kwargs.setdefault("cancel_url", reverse("case-detail", args=[case_id]))
        kwargs.setdefault("cancel_url", reverse("home"))
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        hearing = form.save(commit=False)
        saved, refusal = self.write(form, lambda confirmed: services.schedule(
            hearing, actor=self.request.user, confirmed=confirmed))
        if refusal:
            return refusal
        messages.success(self.request, _("Hearing set for %(start)s.") % {
            "start": timezone.localtime(saved.starts_at).strftime("%Y-%m-%d %H:%M")})
        return redirect(saved)


class HearingUpdateView(ScheduleFormMixin, UpdateView):
    model = Hearing
    form_class = HearingForm
    heading = gettext_lazy("Change the hearing")

    def get_object(self, queryset=None):
        self.hearing = load(self.request, Hearing.objects.select_related("case", "court", "courtroom"), "change",
                            pk=self.kwargs["pk"])
        return self.hearing

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_context_data(self, **kwargs):
        kwargs.setdefault("hearing", self.hearing)
        kwargs.setdefault("cancel_url", hearing_anchor(self.hearing))
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        hearing = form.save(commit=False)
        saved, refusal = self.write(form, lambda confirmed: services.update(
            hearing, actor=self.request.user, version=form.cleaned_data["version"], confirmed=confirmed))
        if refusal:
            return refusal
        messages.success(self.request, _("The hearing is saved."))
        return redirect(saved)


# --- Adjourning and closing --------------------------------------------------------------------

class HearingAdjournView(HearingPartMixin, FormView):
    form_class = AdjournForm
    heading = gettext_lazy("Adjourn the hearing")
    submit_label = gettext_lazy("Adjourn")

    def get_initial(self):
        return {"version": self.hearing.version}

    def form_valid(self, form):
        data = form.cleaned_data
        result, refusal = self.write(form, lambda confirmed: services.adjourn(
            self.hearing, actor=self.request.user, version=data["version"], reason=data["reason"],
            requested_by=data["requested_by"], new_starts_at=data["new_starts_at"], confirmed=confirmed))
        if refusal:
            return refusal
        adjourned, follow_up = result
        if follow_up is None:
            messages.success(self.request, _("The hearing is adjourned without a new date."))
            return redirect(adjourned)
        messages.success(self.request, _("The hearing is adjourned. It continues on %(start)s.") % {
            "start": timezone.localtime(follow_up.starts_at).strftime("%Y-%m-%d %H:%M")})
        return redirect(follow_up)


class HearingCloseView(HearingPartMixin, FormView):
    form_class = CloseForm
    heading = gettext_lazy("Record the outcome: held, cancelled or vacated")

    def get_initial(self):
        return {"version": self.hearing.version}

    def form_valid(self, form):
        data = form.cleaned_data
        closed, refusal = self.write(form, lambda _confirmed: services.close(
            self.hearing, actor=self.request.user, version=data["version"], status=data["status"],
            reason=data["reason"]))
        if refusal:
            return refusal
        messages.success(self.request, _("The hearing is recorded as %(status)s.") % {
            "status": closed.get_status_display().lower()})
        return redirect(closed)


# --- The hearing's page ---------------------------------------------------------------------------

class HearingDetailView(LoginRequiredMixin, DetailView):
    model = Hearing
    template_name = "hearings/hearing_detail.html"
    context_object_name = "hearing"

    def get_object(self, queryset=None):
        return load(self.request, Hearing.objects.select_related(*HEARING_RELATED), "view", pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        hearing, user = self.object, self.request.user
        may = {action: access.can(user, action, hearing) for action in access.rule_for(Hearing).actions}
        witnesses = []
        if may["view_witnesses"]:
            # An NGO sees the rows of the victims it supports, nobody else's.
            witnesses = list(
                access.with_permissions(user, HearingWitness.objects.filter(hearing=hearing), "change")
                .select_related("victim")
                .prefetch_related(Prefetch("special_measures", queryset=access.visible(user, SpecialMeasure))))
        case = access.rule_for(Case).annotate(user, services.adjournments(Case.objects.filter(pk=hearing.case_id)),
                                              ("view",)).first()
        context.update(
            may=may, witnesses=witnesses, case=case,
            problems=scheduling.check(hearing, user=user, witnesses=witnesses) if hearing.is_open else [],
            may_record_absences=access.may_use(user, JudgeUnavailability, "change"),
        )
        return context


# --- Witnesses and special measures -------------------------------------------------------------

class WitnessCreateView(HearingPartMixin, CreateView):
    model = HearingWitness
    form_class = HearingWitnessForm
    heading = gettext_lazy("Add a witness")

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs.update(user=self.request.user, hearing=self.hearing, instance=HearingWitness(hearing=self.hearing))
        return kwargs

    def form_valid(self, form):
        saved, refusal = self.write(form, lambda confirmed: services.save_witness(
            form.instance, actor=self.request.user, confirmed=confirmed))
        if refusal:
            return refusal
        messages.success(self.request, _("Witness %(witness)s added.") % {"witness": saved})
        return redirect(hearing_anchor(self.hearing, "witnesses"))


class WitnessUpdateView(ScheduleFormMixin, UpdateView):
    model = HearingWitness
    form_class = HearingWitnessForm
    heading = gettext_lazy("Change a witness")

    def get_object(self, queryset=None):
        witness = load(self.request, HearingWitness.objects.select_related("hearing__case", "hearing__court",
                                                                           "hearing__courtroom", "victim"),
                       "change", pk=self.kwargs["pk"])
        self.hearing = witness.hearing
        return witness

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user, "hearing": self.hearing}

    def get_context_data(self, **kwargs):
        kwargs.setdefault("hearing", self.hearing)
        kwargs.setdefault("cancel_url", hearing_anchor(self.hearing, "witnesses"))
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        saved, refusal = self.write(form, lambda confirmed: services.save_witness(
            form.instance, actor=self.request.user, confirmed=confirmed))
        if refusal:
            return refusal
        messages.success(self.request, _("Witness %(witness)s saved.") % {"witness": saved})
        return redirect(hearing_anchor(self.hearing, "witnesses"))


class MeasureFormMixin(ScheduleFormMixin):
    model = SpecialMeasure
    form_class = SpecialMeasureForm

    def get_context_data(self, **kwargs):
        kwargs.setdefault("hearing", self.witness.hearing)
        kwargs.setdefault("witness", self.witness)
        kwargs.setdefault("cancel_url", hearing_anchor(self.witness.hearing, "witnesses"))
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        saved, refusal = self.write(form, lambda _confirmed: services.save_measure(
            form.instance, actor=self.request.user))
        if refusal:
            return refusal
        messages.success(self.request, _("%(measure)s for %(witness)s saved.") % {
            "measure": saved.get_measure_display(), "witness": self.witness})
        return redirect(hearing_anchor(self.witness.hearing, "witnesses"))


WITNESS_RELATED = ("hearing__case", "hearing__court", "victim")


class MeasureCreateView(MeasureFormMixin, CreateView):
    heading = gettext_lazy("Request or record a special measure")

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.witness = load(request, HearingWitness.objects.select_related(*WITNESS_RELATED), "change",
                            pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": SpecialMeasure(witness=self.witness)}


class MeasureUpdateView(MeasureFormMixin, UpdateView):
    heading = gettext_lazy("Special measure: decision and appeal")

    def get_object(self, queryset=None):
        measure = load(self.request, SpecialMeasure.objects.select_related(
            *(f"witness__{name}" for name in WITNESS_RELATED)), "change", pk=self.kwargs["pk"])
        self.witness = measure.witness
        return measure


# --- Judges' non-availability -------------------------------------------------------------------

class JudgeUnavailabilityView(LoginRequiredMixin, FormView):
    """The court's judges' leave and other absences: listed and added by the court's staff. A
    hearing cannot be set before a judge who is away."""

    template_name = "hearings/judge_unavailability.html"
    form_class = JudgeUnavailabilityForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not access.may_use(request.user, JudgeUnavailability, "change"):
            raise PermissionDenied(_("Court staff record judges' non-availability."))
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_context_data(self, **kwargs):
        since = timezone.localdate() - datetime.timedelta(days=30)
        clashes = (Hearing.objects.filter(judge=OuterRef("judge"), status=Hearing.Status.SCHEDULED,
                                          starts_at__date__lte=OuterRef("ends_on"),
                                          ends_at__date__gte=OuterRef("starts_on"))
                   .order_by().values("judge").annotate(n=Count("pk")).values("n"))
        absences = (access.visible(self.request.user, JudgeUnavailability).filter(ends_on__gte=since)
                    .select_related("judge").annotate(hearings=Coalesce(Subquery(clashes, output_field=IntegerField()), 0)))
        return super().get_context_data(absences=list(absences), **kwargs)

    def form_valid(self, form):
        try:
            during = services.add_unavailability(form.instance, actor=self.request.user)
        except ValidationError as error:
            add_errors(form, error)
            return self.form_invalid(form)
        count = during.count()
        messages.success(self.request, _("The non-availability of %(judge)s is recorded.") % {
            "judge": form.instance.judge})
        if count:
            messages.warning(self.request, ngettext(
                "%(count)d scheduled hearing is set before this judge in that period: move it.",
                "%(count)d scheduled hearings are set before this judge in that period: move them.", count)
                % {"count": count})
        return redirect("judge-unavailability")


urlpatterns = [
    path("hearings/new/", HearingCreateView.as_view(), name="hearing-create"),
    path("hearings/<int:pk>/", HearingDetailView.as_view(), name="hearing-detail"),
    path("hearings/<int:pk>/edit/", HearingUpdateView.as_view(), name="hearing-edit"),
    path("hearings/<int:pk>/adjourn/", HearingAdjournView.as_view(), name="hearing-adjourn"),
    path("hearings/<int:pk>/close/", HearingCloseView.as_view(), name="hearing-close"),
    path("hearings/<int:pk>/witnesses/new/", WitnessCreateView.as_view(), name="hearing-witness-add"),
    path("witnesses/<int:pk>/edit/", WitnessUpdateView.as_view(), name="hearing-witness-edit"),
    path("witnesses/<int:pk>/measures/new/", MeasureCreateView.as_view(), name="special-measure-add"),
    path("measures/<int:pk>/edit/", MeasureUpdateView.as_view(), name="special-measure-edit"),
    path("judges/non-availability/", JudgeUnavailabilityView.as_view(), name="judge-unavailability"),
]
