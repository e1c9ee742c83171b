from django.contrib import messages
from django.db.models import Q
from django.utils.translation import gettext as _
from django.views.generic import DetailView, ListView, UpdateView

from accounts import policy
from accounts.mixins import PolicyListMixin, PolicyObjectMixin

from victims.models import Victim

from .forms import CaseForm
from .models import Case


class CaseListView(PolicyListMixin, ListView):
    model = Case
    paginate_by = 50
    template_name = "cases/case_list.html"

    def get_queryset(self):
        cases = super().get_queryset().select_related("jurisdiction")
        search = self.request.GET.get("q", "").strip()
        if search:
            cases = cases.filter(Q(reference__icontains=search) | Q(title__icontains=search))
        stage = self.request.GET.get("stage")
        if stage in Case.Stage.values:
            cases = cases.filter(stage=stage)
        return cases

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["stages"] = Case.Stage.choices
        context["search"] = self.request.GET.get("q", "")
        context["stage"] = self.request.GET.get("stage", "")
        return context


class CaseDetailView(PolicyObjectMixin, DetailView):
    model = Case
    template_name = "cases/case_detail.html"

    def get_queryset(self):
        return Case.objects.select_related("jurisdiction", "created_by")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        case, user = self.object, self.request.user
        context["may_change"] = policy.can(user, "change", case)
        context["may_view_investigation"] = policy.can(user, "view_investigation", case)
        context["agency_roles"] = case.agency_roles.select_related("agency").order_by("role")
        context["team"] = case.assignments.select_related("user").order_by("team_role", "started_on")
        context["victims"] = policy.visible(user, Victim.objects.filter(case_links__case=case))
        context["audience"] = policy.audience(case, user)
        return context


class CaseUpdateView(PolicyObjectMixin, UpdateView):
    model = Case
    form_class = CaseForm
    template_name = "cases/case_form.html"
    policy_action = "change"

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, _("Case %(ref)s saved.") % {"ref": self.object.reference})
        return response

    def get_success_url(self):
        return self.object.get_absolute_url()
