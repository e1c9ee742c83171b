"""Case team and exclusions: who holds each function, handovers with reasons, and people
kept out of the case. Every change goes through cases.services, which keeps access in step."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.generic import FormView

import access

from .. import services
from ..forms import AssignmentForm, EndAssignmentForm, ExclusionForm
from ..models import Case, CaseAssignment


class TeamFormView(LoginRequiredMixin, FormView):
    template_name = "cases/section_form.html"
    heading = ""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.case = access.load_or_404(request.user, Case, "manage_team", pk=kwargs["case_pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(case=self.case, heading=self.heading, **kwargs)

    def form_valid(self, form):
        try:
            self.apply(form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Case team updated."))
        return redirect(f"{self.case.get_absolute_url()}#team")


class AssignView(TeamFormView):
    form_class = AssignmentForm
    heading = _("Assign to the case team")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "case": self.case}

    def apply(self, data):
        services.assign(self.case, data["user"], data["team_role"], reason=data["reason"])


class EndAssignmentView(TeamFormView):
    form_class = EndAssignmentForm
    heading = _("End an assignment")

    def apply(self, data):
        assignment = get_object_or_404(CaseAssignment, pk=self.kwargs["pk"], case=self.case, ended_on__isnull=True)
        services.end_assignment(assignment, reason=data["reason"])


class ExcludeView(TeamFormView):
    form_class = ExclusionForm
    heading = _("Exclude a person from this case")

    def apply(self, data):
        services.exclude_from_case(self.case, data["user"], reason=data["reason"], actor=self.request.user)
