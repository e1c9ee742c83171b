"""Forms for the parts of a victim's file: one generic create and one generic edit view, each
asking the access policy for the victim actions its section needs before anything is shown or
written. Where a service exists for the change it is used; otherwise the object is validated
(full_clean) and saved in the request's transaction."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import CreateView, UpdateView

import access
from cases.models import Case, Defendant

from .. import services
from ..forms import (
    AssistanceServiceForm, AsylumClaimForm, CooperationForm, CounsellingNoteForm, DataSubjectRequestForm,
    DetentionForm, IdentityDocumentForm, NonPunishmentDecisionForm, ParticipationForm, ProtectedRelativeForm,
    ReflectionPeriodForm, ResidencePermitForm, ReturnForm, RiskAssessmentForm, SafetyPlanForm, visible_linked_cases,
)
from ..models import (
    AssistanceService, AsylumClaim, CooperationWithAuthorities, CounsellingNote, DataSubjectRequest, Detention,
    IdentityDocument, NonPunishmentDecision, ParticipationEntry, ProtectedRelative, ReflectionPeriod,
    ResidencePermit, Return, RiskAssessment, SafetyPlan, Victim,
)
from ..models.justice import RELATED_OFFENCES


class VictimSectionMixin(LoginRequiredMixin):
    """Loads the victim from the URL (locked when writing) with every right in one query and
    requires each of `victim_actions` on it."""

    victim_actions = ("change",)
    anchor = ""
    heading = ""
    form_needs_victim = False
    template_name = "victims/section_form.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        writing = request.method not in ("GET", "HEAD", "OPTIONS")
        self.victim = access.load_or_404(request.user, Victim, *self.victim_actions, for_update=writing,
                                         pk=kwargs["victim_pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        if kwargs.get("instance") is None:
            # The new object belongs to this victim before the form validates it, so the
            # model's own checks (same victim, a child's detention) see the victim.
            kwargs["instance"] = self.model()
            self.attach(kwargs["instance"])
        if self.form_needs_victim:
            kwargs["victim"] = self.victim
        return kwargs

    def get_context_data(self, **kwargs):
        return super().get_context_data(victim=self.victim, heading=self.heading, **kwargs)

    def attach(self, obj):
        obj.victim = self.victim

    def save(self, form):
        """Write the object; services override this. Runs after attach() for new objects."""
        form.instance.full_clean()
        return form.save()

    def form_valid(self, form):
        try:
            self.object = self.save(form)
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Saved."))
        return redirect(f"{self.victim.get_absolute_url()}#{self.anchor}")


class SectionCreateView(VictimSectionMixin, CreateView):
    pass


class SectionUpdateView(VictimSectionMixin, UpdateView):
    """Edits an object of this victim only: the lookup is scoped to the victim in the URL."""

    def get_queryset(self):
        return self.model.objects.filter(victim=self.victim)


# --- Identity documents and protected relatives (identity) -----------------------------------

class DocumentCreate(SectionCreateView):
    model, form_class, anchor = IdentityDocument, IdentityDocumentForm, "identity"
    victim_actions = ("change", "view_identity")
    heading = gettext_lazy("Add an identity document")


class DocumentUpdate(SectionUpdateView):
    model, form_class, anchor = IdentityDocument, IdentityDocumentForm, "identity"
    victim_actions = ("change", "view_identity")
    heading = gettext_lazy("Edit identity document")


class RelativeCreate(SectionCreateView):
    model, form_class, anchor = ProtectedRelative, ProtectedRelativeForm, "safety"
    victim_actions = ("change_safety", "view_identity")
    heading = gettext_lazy("Add a protected relative")


class RelativeUpdate(SectionUpdateView):
    model, form_class, anchor = ProtectedRelative, ProtectedRelativeForm, "safety"
    victim_actions = ("change_safety", "view_identity")
    heading = gettext_lazy("Edit protected relative")


# --- Assistance and cooperation ---------------------------------------------------------------

class ServiceCreate(SectionCreateView):
    model, form_class, anchor = AssistanceService, AssistanceServiceForm, "services"
    heading = gettext_lazy("Add an assistance service")

    def save(self, form):
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        return services.add_service(self.victim, **fields)


class ServiceUpdate(SectionUpdateView):
    model, form_class, anchor = AssistanceService, AssistanceServiceForm, "services"
    heading = gettext_lazy("Edit assistance service")


class CooperationEdit(SectionUpdateView):
    """Cooperation with the authorities: one record per victim, created on first edit."""

    model, form_class, anchor = CooperationWithAuthorities, CooperationForm, "cooperation"
    victim_actions = ("change", "view_cooperation")
    heading = gettext_lazy("Cooperation with the authorities")

    def get_object(self, queryset=None):
        return (CooperationWithAuthorities.objects.filter(victim=self.victim).first()
                or CooperationWithAuthorities(victim=self.victim))


# --- Residence ----------------------------------------------------------------------------------

class ReflectionCreate(SectionCreateView):
    model, form_class, anchor = ReflectionPeriod, ReflectionPeriodForm, "residence"
    heading = gettext_lazy("Start a reflection and recovery period")

    def save(self, form):
        data = form.cleaned_data
        return services.start_reflection_period(self.victim, jurisdiction=data["jurisdiction"],
                                                started_on=data["started_on"], granted_by=data["granted_by"])


class PermitCreate(SectionCreateView):
    model, form_class, anchor = ResidencePermit, ResidencePermitForm, "residence"
    form_needs_victim = True
    heading = gettext_lazy("Add a residence permit")


class PermitUpdate(SectionUpdateView):
    model, form_class, anchor = ResidencePermit, ResidencePermitForm, "residence"
    form_needs_victim = True
    heading = gettext_lazy("Edit residence permit")


class AsylumCreate(SectionCreateView):
    model, form_class, anchor = AsylumClaim, AsylumClaimForm, "residence"
    heading = gettext_lazy("Add an asylum claim")


class AsylumUpdate(SectionUpdateView):
    model, form_class, anchor = AsylumClaim, AsylumClaimForm, "residence"
    heading = gettext_lazy("Edit asylum claim")


class ReturnCreate(SectionCreateView):
    model, form_class, anchor = Return, ReturnForm, "residence"
    # The form offers the victim's risk assessments: for those who may read them.
    victim_actions = ("change", "view_safety")
    form_needs_victim = True
    heading = gettext_lazy("Record a return")

    def get_context_data(self, **kwargs):
        pending = services.open_linked_cases(self.victim).count()
        return super().get_context_data(open_cases=pending, **kwargs)

    def save(self, form):
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields if name != "risk_assessment"}
        return services.record_return(self.victim, actor=self.request.user,
                                      risk_assessment=form.cleaned_data["risk_assessment"], **fields)


# --- Safety -------------------------------------------------------------------------------------

class RiskCreate(SectionCreateView):
    model, form_class, anchor = RiskAssessment, RiskAssessmentForm, "safety"
    victim_actions = ("change_safety",)
    heading = gettext_lazy("Add a risk assessment")

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not request.user.agency_id:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def attach(self, obj):
        obj.victim, obj.assessed_by, obj.agency = self.victim, self.request.user, self.request.user.agency


class RiskUpdate(SectionUpdateView):
    model, form_class, anchor = RiskAssessment, RiskAssessmentForm, "safety"
    victim_actions = ("change_safety",)
    heading = gettext_lazy("Edit risk assessment")


class SafetyPlanCreate(SectionCreateView):
    model, form_class, anchor = SafetyPlan, SafetyPlanForm, "safety"
    victim_actions = ("change_safety",)
    form_needs_victim = True
    heading = gettext_lazy("Add a safety plan")


class SafetyPlanUpdate(SectionUpdateView):
    model, form_class, anchor = SafetyPlan, SafetyPlanForm, "safety"
    victim_actions = ("change_safety",)
    form_needs_victim = True
    heading = gettext_lazy("Edit safety plan")


# --- Justice ------------------------------------------------------------------------------------

class NonPunishmentCreate(SectionCreateView):
    """The decision not to punish the victim for an offence tied to their trafficking: for a
    defendant who is this victim, in a case whose proceedings the user may see."""

    model, form_class, anchor = NonPunishmentDecision, NonPunishmentDecisionForm, "non-criminalisation"
    victim_actions = ("record_non_punishment",)
    heading = gettext_lazy("Record a non-punishment decision")

    def get_form_kwargs(self):
        cases = access.visible(self.request.user, Case, "view_proceedings").values("pk")
        defendants = Defendant.objects.filter(
            victim=self.victim, case__in=cases, non_punishment_decision__isnull=True,
            charges__offence__in=RELATED_OFFENCES,
        ).distinct().select_related("case").prefetch_related("charges")
        return {**super().get_form_kwargs(), "defendants": defendants}

    def attach(self, obj):
        obj.victim, obj.recorded_by = self.victim, self.request.user


class DetentionCreate(SectionCreateView):
    model, form_class, anchor = Detention, DetentionForm, "detention"
    heading = gettext_lazy("Record a detention")


class DetentionUpdate(SectionUpdateView):
    model, form_class, anchor = Detention, DetentionForm, "detention"
    heading = gettext_lazy("Edit detention")


class ParticipationCreate(SectionCreateView):
    model, form_class, anchor = ParticipationEntry, ParticipationForm, "participation"
    heading = gettext_lazy("Add to the participation log")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "cases": visible_linked_cases(self.request.user, self.victim)}

    def attach(self, obj):
        obj.victim, obj.recorded_by = self.victim, self.request.user


class DataRequestMixin:
    model, form_class, anchor = DataSubjectRequest, DataSubjectRequestForm, "data-requests"
    victim_actions = ("change", "view_safety")
    form_needs_victim = True

    def save(self, form):
        if form.instance.status in (DataSubjectRequest.Status.DONE, DataSubjectRequest.Status.REFUSED):
            form.instance.handled_by = self.request.user
        return super().save(form)


class DataRequestCreate(DataRequestMixin, SectionCreateView):
    heading = gettext_lazy("Record a data-subject request")


class DataRequestUpdate(DataRequestMixin, SectionUpdateView):
    heading = gettext_lazy("Handle a data-subject request")


class CounsellingNoteCreate(SectionCreateView):
    model, form_class, anchor = CounsellingNote, CounsellingNoteForm, "counselling"
    victim_actions = ("view_counselling",)
    heading = gettext_lazy("Write a counselling note")

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not request.user.agency_id:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def attach(self, obj):
        obj.victim, obj.author, obj.agency = self.victim, self.request.user, self.request.user.agency
