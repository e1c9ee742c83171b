from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import CreateView, DetailView, ListView, UpdateView

import access
from access.mixins import FilteredListMixin, PolicyListMixin, PolicyObjectMixin

from .. import lifecycle, selectors, services
from ..filters import CaseFilter
from ..forms import CaseCreateForm, CaseForm, MoveForm, NoteForm
from ..models import Case


class CaseListView(FilteredListMixin, PolicyListMixin, ListView):
    """The cases the user may see, filtered as GET /api/cases/ is [SPEC 2.2]."""

    queryset = Case.objects.select_related("jurisdiction")
    filterset_class = CaseFilter
    paginate_by = 50
    template_name = "cases/case_list.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(may_open=access.may(self.request.user, "open_case"), **kwargs)


class CaseCreateView(LoginRequiredMixin, CreateView):
    model = Case
    form_class = CaseCreateForm
    template_name = "cases/case_form.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not access.may(request.user, "open_case"):
            raise PermissionDenied(_("Only investigators and prosecutors open cases."))
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        fields = {name: value for name, value in form.cleaned_data.items()}
        self.object = services.open_case(actor=self.request.user, **fields)
        messages.success(self.request, _("Case %(ref)s opened.") % {"ref": self.object.reference})
        return redirect(self.object)


class CaseDetailView(PolicyObjectMixin, DetailView):
    model = Case
    template_name = "cases/case_detail.html"

    def get_queryset(self):
        return Case.objects.select_related("jurisdiction", "created_by", "court")

    def get_context_data(self, **kwargs):
        context = {**super().get_context_data(**kwargs), **selectors.case_file(self.request.user, self.object)}
        context["note_form"] = NoteForm() if context["may"]["add_note"] else None
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


class CaseMoveView(PolicyObjectMixin, View):
    """One stage transition, chosen from the case page."""

    model = Case
    policy_action = "view"

    def get_queryset(self):
        return Case.objects.all()

    def post(self, request, pk):
        case = self.get_object()
        form = MoveForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Choose a stage to move to."))
            return redirect(case)
        try:
            lifecycle.move(case, form.cleaned_data["target"], actor=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            case.refresh_from_db()
            messages.success(request, _("Case %(ref)s is now at the stage “%(stage)s”.") % {
                "ref": case.reference, "stage": case.get_stage_display()})
        return redirect(case)


__all__ = ["CaseListView", "CaseCreateView", "CaseDetailView", "CaseUpdateView", "CaseMoveView"]
