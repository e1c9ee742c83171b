"""Forms for the parts of a case file: one generic create and one generic edit view, each
asking the access policy for the case action its section needs before anything is shown
or written."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import CreateView, UpdateView

import access

from .. import services
from ..forms import (
    AppealForm, AssetForm, ChargeForm, CompensationClaimForm, CooperationRequestForm, DefendantForm, MeetingForm,
    NoteForm, VerdictForm,
)
from ..models import (
    Appeal, Asset, Case, CaseNote, Charge, CompensationClaim, CooperationRequest, CoordinationMeeting, Defendant,
    Verdict,
)


class CaseSectionMixin(LoginRequiredMixin):
    """Loads the case from the URL (locked when writing) and requires `case_action` on it."""

    case_action = None
    anchor = ""
    heading = ""
    form_needs_case = False
    form_needs_user = False  # forms offering records of other kinds list only those the user may see
    template_name = "cases/section_form.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        writing = request.method not in ("GET", "HEAD", "OPTIONS")
        self.case = access.load_or_404(request.user, Case, self.case_action, for_update=writing, pk=kwargs["case_pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        if self.form_needs_case:
            kwargs["case"] = self.case
        if self.form_needs_user:
            kwargs["user"] = self.request.user
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(case=self.case, heading=self.heading)
        return context

    def attach(self, obj):
        """Link a new object to its place in the case file (subclasses for nested objects)."""
        obj.case = self.case

    def save(self, form):
        return form.save()

    def form_valid(self, form):
        if form.instance.pk is None:
            self.attach(form.instance)
        try:
            form.instance.full_clean()
            self.object = self.save(form)
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Saved."))
        return redirect(f"{self.case.get_absolute_url()}#{self.anchor}")


class SectionCreateView(CaseSectionMixin, CreateView):
    pass


class SectionUpdateView(CaseSectionMixin, UpdateView):
    """Edits an object of this case only: the lookup is scoped to the case in the URL."""

    case_path = "case"

    def get_queryset(self):
        return self.model.objects.filter(**{self.case_path: self.case})


class DefendantCreate(SectionCreateView):
    model, form_class, case_action, anchor = Defendant, DefendantForm, "change_proceedings", "defendants"
    form_needs_user = True
    heading = gettext_lazy("Add a defendant")

    def save(self, form):
        return services.save_defendant(form.instance)


class DefendantUpdate(SectionUpdateView):
    model, form_class, case_action, anchor = Defendant, DefendantForm, "change_proceedings", "defendants"
    form_needs_user = True
    heading = gettext_lazy("Edit defendant")

    def get_context_data(self, **kwargs):
        return super().get_context_data(review_record=self.object, **kwargs)

    def save(self, form):
        return services.save_defendant(form.instance, values_reviewed=form.cleaned_data.get("values_reviewed", False))


class ChargeCreate(SectionCreateView):
    model, form_class, case_action, anchor = Charge, ChargeForm, "change_proceedings", "defendants"
    heading = gettext_lazy("Add a charge")

    def attach(self, obj):
        obj.defendant = get_object_or_404(Defendant, pk=self.kwargs["defendant_pk"], case=self.case)


class ChargeUpdate(SectionUpdateView):
    model, form_class, case_action, anchor = Charge, ChargeForm, "change_proceedings", "defendants"
    case_path = "defendant__case"
    heading = gettext_lazy("Edit charge")


class VerdictCreate(SectionCreateView):
    model, form_class, case_action, anchor = Verdict, VerdictForm, "change_proceedings", "defendants"
    heading = gettext_lazy("Record the verdict and sentence")

    def attach(self, obj):
        obj.charge = get_object_or_404(Charge, pk=self.kwargs["charge_pk"], defendant__case=self.case)


class VerdictUpdate(SectionUpdateView):
    model, form_class, case_action, anchor = Verdict, VerdictForm, "change_proceedings", "defendants"
    case_path = "charge__defendant__case"
    heading = gettext_lazy("Edit verdict and sentence")


class AppealCreate(SectionCreateView):
    model, form_class, case_action, anchor = Appeal, AppealForm, "change_proceedings", "defendants"
    heading = gettext_lazy("Record an appeal")

    def attach(self, obj):
        obj.verdict = get_object_or_404(Verdict, pk=self.kwargs["verdict_pk"], charge__defendant__case=self.case)


class AppealUpdate(SectionUpdateView):
    model, form_class, case_action, anchor = Appeal, AppealForm, "change_proceedings", "defendants"
    case_path = "verdict__charge__defendant__case"
    heading = gettext_lazy("Edit appeal")


class AssetCreate(SectionCreateView):
    model, form_class, case_action, anchor = Asset, AssetForm, "change_proceedings", "assets"
    form_needs_case = True
    heading = gettext_lazy("Add an asset")


class AssetUpdate(SectionUpdateView):
    model, form_class, case_action, anchor = Asset, AssetForm, "change_proceedings", "assets"
    form_needs_case = True
    heading = gettext_lazy("Edit asset")


class CooperationCreate(SectionCreateView):
    model, form_class, case_action, anchor = CooperationRequest, CooperationRequestForm, "change_cooperation", "cooperation"
    heading = gettext_lazy("Add an international cooperation request")


class CooperationUpdate(SectionUpdateView):
    model, form_class, case_action, anchor = CooperationRequest, CooperationRequestForm, "change_cooperation", "cooperation"
    heading = gettext_lazy("Edit international cooperation request")


class CompensationCreate(SectionCreateView):
    model, form_class, case_action, anchor = CompensationClaim, CompensationClaimForm, "change_compensation", "compensation"
    form_needs_user = True
    form_needs_case = True
    heading = gettext_lazy("Add a compensation claim")


class CompensationUpdate(SectionUpdateView):
    model, form_class, case_action, anchor = CompensationClaim, CompensationClaimForm, "change_compensation", "compensation"
    form_needs_user = True
    form_needs_case = True
    heading = gettext_lazy("Edit compensation claim")


class MeetingCreate(SectionCreateView):
    model, form_class, case_action, anchor = CoordinationMeeting, MeetingForm, "add_meeting", "meetings"
    form_needs_case = True
    heading = gettext_lazy("Record a coordination meeting")

    def attach(self, obj):
        obj.case, obj.recorded_by = self.case, self.request.user


class NoteCreate(SectionCreateView):
    model, form_class, case_action, anchor = CaseNote, NoteForm, "add_note", "notes"
    heading = gettext_lazy("Write a note")

    def attach(self, obj):
        obj.case, obj.author, obj.author_agency = self.case, self.request.user, self.request.user.agency

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not request.user.agency_id:
            raise Http404
        return super().dispatch(request, *args, **kwargs)
