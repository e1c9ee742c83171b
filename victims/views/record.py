"""The victim list, recording a victim, the victim page and the changes made on the record
itself (its fields, identity, status, consent, export)."""

import json

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import DetailView, FormView, ListView

import access
from accounts.audit import log_access
from access.mixins import FilteredListMixin, PolicyListMixin, PolicyObjectMixin
from accounts.models import AccessLog

from .. import selectors, services
from ..filters import VictimFilter, may_search_names
from ..api.victim import victim_export
from ..flags import with_flags
from ..forms import (
    ConsentForm, CounsellingNoteForm, IdentityForm, NotAVictimForm, RecordVictimForm, StatusForm, VictimForm,
    WithdrawConsentForm,
)
from ..identity import reveal_identity
from ..models import Consent, Victim, VictimIdentity


class VictimListView(FilteredListMixin, PolicyListMixin, ListView):
    """The victims the user may see, filtered as GET /api/victims/ is [SPEC 2.3]: by code for
    everyone; by name only for those who may see some identity, among the victims whose
    identity they may see, and every victim found that way is logged [SPEC 2.9]."""

    model = Victim
    filterset_class = VictimFilter
    paginate_by = 50
    template_name = "victims/victim_list.html"

    def unfiltered_queryset(self):
        return with_flags(super().unfiltered_queryset())

    def filterset_kwargs(self):
        return {"purpose": "victim list"}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.filterset.searches_names():
            # Finding a victim by name reveals who they are: each one shown is logged.
            log_access(self.request.user, AccessLog.Action.VIEW_IDENTITY, list(context["object_list"]),
                       purpose="name search")
        context.update(may_search_names=may_search_names(self.request.user),
                       may_record=access.may(self.request.user, "record_victim"))
        return context


class VictimCreateView(LoginRequiredMixin, FormView):
    form_class = RecordVictimForm
    template_name = "victims/victim_form.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not access.may(request.user, "record_victim"):
            raise PermissionDenied(_("Front-line officers, investigators, prosecutors and caseworkers of an agency "
                                     "record victims."))
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_valid(self, form):
        user, agency = self.request.user, form.cleaned_data["supporting_agency"]
        try:
            victim = services.record_victim(actor=user, identity=form.identity_data(),
                                            supporting_agencies=[agency] if agency else [], **form.record_data())
            if form.cleaned_data["consent_to_processing"]:
                services.give_consent(victim, actor=user, purpose=Consent.Purpose.DATA_PROCESSING, informed=True)
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Victim %(code)s recorded.") % {"code": victim.code})
        return redirect(victim)


class VictimDetailView(PolicyObjectMixin, DetailView):
    model = Victim
    template_name = "victims/victim_detail.html"

    def get_queryset(self):
        return with_flags(Victim.objects.select_related("recording_agency", "recorded_by"))

    def get_context_data(self, **kwargs):
        user = self.request.user
        context = {**super().get_context_data(**kwargs), **selectors.victim_file(user, self.object)}
        if context["may"]["view_counselling"]:
            context["note_form"] = CounsellingNoteForm() if user.agency_id else None
        return context


class VictimObjectMixin(PolicyObjectMixin):
    """A page acting on the victim record itself: the victim is loaded with every right in one
    query (locked when writing) and `policy_action` is required."""

    model = Victim

    def get_queryset(self):
        return Victim.objects.all()

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.victim = self.get_object()
        for action in getattr(self, "also_required", ()):
            access.require(request.user, action, self.victim)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(victim=self.victim, heading=self.heading, **kwargs)


class VictimUpdateView(VictimObjectMixin, FormView):
    form_class = VictimForm
    template_name = "victims/section_form.html"
    policy_action = "change"
    heading = gettext_lazy("Edit the victim record")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.victim}

    def get_context_data(self, **kwargs):
        return super().get_context_data(review_record=self.victim, **kwargs)

    def form_valid(self, form):
        try:
            services.update_victim(self.victim, version=form.cleaned_data["version"],
                                   values_reviewed=form.cleaned_data.get("values_reviewed", False),
                                   **{name: form.cleaned_data[name] for name in form.Meta.fields})
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Saved."))
        return redirect(self.victim)


class IdentityUpdateView(VictimObjectMixin, FormView):
    form_class = IdentityForm
    template_name = "victims/section_form.html"
    policy_action = "change"
    also_required = ("view_identity",)
    heading = gettext_lazy("Edit the identity")

    def get_form_kwargs(self):
        # Reading the identity to edit it is a read like any other: reveal_identity logs it.
        reveal_identity(self.request.user, self.victim, purpose="identity edit")
        instance = VictimIdentity.objects.filter(victim=self.victim).first() or VictimIdentity(victim=self.victim)
        return {**super().get_form_kwargs(), "instance": instance, "version": self.victim.version,
                "shelter": access.can(self.request.user, "view_shelter", self.victim)}

    def form_valid(self, form):
        try:
            data = dict(form.cleaned_data)
            services.update_identity(self.victim, version=data.pop("version"), **data)
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Saved."))
        return redirect(f"{self.victim.get_absolute_url()}#identity")


class StatusView(VictimObjectMixin, FormView):
    form_class = StatusForm
    template_name = "victims/section_form.html"
    policy_action = "change"

    @property
    def heading(self):
        if self.victim.status == Victim.Status.NOT_A_VICTIM:
            return _("A later decision: presumed or identified victim")
        return _("Move up the status ladder")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "victim": self.victim, "user": self.request.user}

    def form_valid(self, form):
        try:
            services.set_status(self.victim, form.cleaned_data["status"], actor=self.request.user,
                                authority=form.cleaned_data["authority"], criteria=form.cleaned_data["criteria"],
                                channel=form.cleaned_data["channel"], decided_on=form.cleaned_data["decided_on"],
                                deciding_organisation=form.cleaned_data["deciding_organisation"])
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Status changed."))
        return redirect(f"{self.victim.get_absolute_url()}#status")


class NotAVictimView(VictimObjectMixin, FormView):
    """The decision "not a victim of trafficking" [SPEC 2.3]: the same people who set the
    status decide it. The form lists what the status opened and is still in force; a first valid
    submission shows what will end and what stays, and only a confirmed one is recorded."""

    form_class = NotAVictimForm
    template_name = "victims/not_a_victim_form.html"
    policy_action = "change"
    heading = gettext_lazy("Decide: not a victim of trafficking")

    def get_form_kwargs(self):
        self.protections = services.protections_in_force(self.victim)
        return {**super().get_form_kwargs(), "victim": self.victim, "user": self.request.user,
                "protections": self.protections}

    def get_context_data(self, **kwargs):
        return super().get_context_data(already=self.victim.status == Victim.Status.NOT_A_VICTIM, **kwargs)

    def form_valid(self, form):
        data = form.cleaned_data
        if "change" in self.request.POST:  # back from the confirmation, to change the decision
            return self.render_to_response(self.get_context_data(form=form))
        if not data["confirm"]:
            form.ask_confirmation()
            ending, staying = form.chosen()
            return self.render_to_response(self.get_context_data(form=form, confirming=True, ending=ending,
                                                                 staying=staying))
        try:
            services.decide_not_a_victim(
                self.victim, actor=self.request.user, authority=data["authority"], reasons=data["reasons"],
                decided_on=data["decided_on"], deciding_organisation=data["deciding_organisation"],
                end_protections=data["end_protections"], version=data["version"])
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Recorded: not a victim of trafficking."))
        if not access.can(self.request.user, "view", Victim.objects.get(pk=self.victim.pk)):
            # Ending their own agency's support may have ended their access too.
            return redirect("victim-list")
        return redirect(f"{self.victim.get_absolute_url()}#status")


class VerifyAdultView(VictimObjectMixin, View):
    policy_action = "change"
    heading = ""

    def post(self, request, pk):
        try:
            services.verify_accompanying_adult(self.victim)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The accompanying adult is recorded as verified."))
        return redirect(self.victim)


class ConsentCreateView(VictimObjectMixin, FormView):
    form_class = ConsentForm
    template_name = "victims/section_form.html"
    policy_action = "change"
    heading = gettext_lazy("Record consent")

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            services.give_consent(self.victim, actor=self.request.user, purpose=data["purpose"],
                                  agency=data["agency"] if data["purpose"] in Consent.AGENCY_PURPOSES else None,
                                  informed=data["informed"], given_on=data["given_on"])
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Consent recorded."))
        return redirect(f"{self.victim.get_absolute_url()}#consents")


class ConsentWithdrawView(VictimObjectMixin, FormView):
    form_class = WithdrawConsentForm
    template_name = "victims/section_form.html"
    policy_action = "change"
    heading = gettext_lazy("Withdraw consent")

    def get_context_data(self, **kwargs):
        consent = get_object_or_404(Consent, pk=self.kwargs["consent_pk"], victim=self.victim)
        return super().get_context_data(subject=consent, **kwargs)

    def form_valid(self, form):
        consent = get_object_or_404(Consent, pk=self.kwargs["consent_pk"], victim=self.victim)
        try:
            services.withdraw_consent(consent, note=form.cleaned_data["note"])
        except ValidationError as error:
            messages.error(self.request, " ".join(error.messages))
        else:
            messages.success(self.request, _("Consent withdrawn. Access given through it is revoked."))
        return redirect(f"{self.victim.get_absolute_url()}#consents")


class VictimExportView(VictimObjectMixin, View):
    """The victim's own data as JSON, for a data-subject access request [NA VII.D.9]: the
    supporting NGO only, and logged."""

    policy_action = "export"
    heading = ""

    def get(self, request, pk):
        # The same document as GET /api/victims/{id}/export/.
        data = victim_export(request, self.victim, {"request": request})
        response = HttpResponse(json.dumps(data, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False),
                                content_type="application/json; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{self.victim.code}.json"'
        response["Cache-Control"] = "no-store"
        return response

