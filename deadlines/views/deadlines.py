"""The deadline pages [SPEC 2.5]: the user's own pending deadlines (or every one they may see),
entering a statutory or procedural deadline about a case or a victim, marking one met and
extending one with its reason.

Every read asks the access policy (DeadlineRule: a deadline follows what it is about); every
write goes through deadlines.services, which asks it again.
"""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, QueryDict
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, ListView

import access
from access.mixins import FilteredListMixin, add_errors
from cases.models import Case
from victims.models import Victim

from .. import services as deadlines
from ..filters import DeadlineFilter
from ..forms.deadlines import DeadlineForm, ExtendForm
from ..models import Deadline


def safe_next(request, default):
    """Where to go back to: a `next` on this site, else `default`."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return default


def about(deadline):
    """(label, url) of what a deadline is about, linking the record its visibility follows (the
    user sees that one); the case reference only where the user may see the case."""
    if deadline.protection_order_id:
        order = deadline.protection_order
        return (_("%(kind)s for %(victim)s") % {"kind": order.get_kind_display(), "victim": deadline.victim.code},
                reverse("protection-order-detail", args=[order.pk]))
    if deadline.referral_id:
        return (_("Referral of %(victim)s") % {"victim": deadline.referral.victim.code},
                reverse("referral-detail", args=[deadline.referral_id]))
    if deadline.case_id:
        if getattr(deadline, "case_visible", True):
            return deadline.case.reference, deadline.case.get_absolute_url()
        return _("a case you cannot open"), None
    if deadline.victim_id:
        return deadline.victim.code, deadline.victim.get_absolute_url()
    return "—", None


class DeadlineListView(LoginRequiredMixin, FilteredListMixin, ListView):
    """My pending deadlines by default, soonest first; every visible one on request, filtered as
    GET /api/deadlines/ is [SPEC 2.5]. One query for the rows (with the right to change each),
    however many there are."""

    template_name = "deadlines/deadline_list.html"
    context_object_name = "deadlines"
    filterset_class = DeadlineFilter
    paginate_by = 50

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not access.may_use(request.user, Deadline):
            raise PermissionDenied(_("Deadlines are for the people who work on cases and with victims."))
        return super().dispatch(request, *args, **kwargs)

    def unfiltered_queryset(self):
        return deadlines.listing(self.request.user)

    def filter_data(self):
        # Asked for nothing (a page number is no filter), the page is the user's own pending ones.
        asked = set(self.request.GET) & set(DeadlineFilter.base_filters)
        return self.request.GET if asked else QueryDict("mine=true&status=pending")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        now = timezone.now()
        for deadline in context["deadlines"]:
            deadline.about_label, deadline.about_url = about(deadline)
            deadline.overdue = deadline.is_pending and deadline.due_at < now
        context["mine"] = self.filterset.form.cleaned_data.get("mine")
        return context


def load_anchor(user, params):
    """The case or victim a new deadline is about (?case= or ?victim=), which the user must be
    able to change: 404 if they may not see it, 403 if they may only see it."""
    for name, model in (("case", Case), ("victim", Victim)):
        value = params.get(name, "")
        if value:
            if not value.isdigit():
                raise Http404
            record = access.load_or_404(user, model, "change", pk=int(value))
            return (record, None) if model is Case else (None, record)
    raise Http404(_("Open the deadline form from a case or a victim."))


class DeadlineCreateView(LoginRequiredMixin, FormView):
    """Enter a statutory or procedural deadline about a case (?case=) or a victim (?victim=)."""

    template_name = "deadlines/deadline_form.html"
    form_class = DeadlineForm

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.case, self.victim = load_anchor(request.user, request.GET)
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        show_defendants = self.case is not None and access.can(self.request.user, "view_proceedings", self.case)
        return {**super().get_form_kwargs(), "actor": self.request.user, "case": self.case, "victim": self.victim,
                "show_defendants": show_defendants}

    def back_url(self):
        return self.case.get_absolute_url() + "#deadlines" if self.case else self.victim.get_absolute_url()

    def get_context_data(self, **kwargs):
        return super().get_context_data(case=self.case, victim=self.victim, back=self.back_url(), **kwargs)

    def form_valid(self, form):
        deadline = form.save(commit=False)
        deadline.case, deadline.victim = self.case, self.victim
        try:
            deadline = deadlines.add(deadline, actor=self.request.user)
        except ValidationError as error:
            add_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Deadline “%(title)s” recorded, due %(due)s.") % {
            "title": deadline.title, "due": timezone.localtime(deadline.due_at).strftime("%Y-%m-%d %H:%M")})
        return redirect(self.back_url())


def load_deadline(user, pk):
    """The deadline with the user's rights on it; 404 if they may not see it, 403 if they may
    not change it."""
    return access.load_or_404(user, Deadline.objects.select_related("case", "victim"), "change", pk=pk)


class DeadlineMetView(LoginRequiredMixin, View):
    """Mark a pending deadline met (a button on the list and on the case page)."""

    def post(self, request, pk):
        deadline = load_deadline(request.user, pk)
        try:
            deadlines.mark_met(deadline, actor=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Deadline “%(title)s” met.") % {"title": deadline.title})
        return redirect(safe_next(request, reverse("deadline-list")))


class DeadlineExtendView(LoginRequiredMixin, FormView):
    """Move a pending deadline later, saying why; its first due date is kept."""

    template_name = "deadlines/deadline_extend.html"
    form_class = ExtendForm

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.deadline = load_deadline(request.user, kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        label, url = about(self.deadline)
        return super().get_context_data(deadline=self.deadline, about_label=label, about_url=url,
                                        next=safe_next(self.request, ""), **kwargs)

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            deadline = deadlines.extend(self.deadline, actor=self.request.user, new_due_at=data["new_due_at"],
                                        reason=data["reason"])
        except ValidationError as error:
            add_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Deadline “%(title)s” extended to %(due)s.") % {
            "title": deadline.title, "due": timezone.localtime(deadline.due_at).strftime("%Y-%m-%d %H:%M")})
        return redirect(safe_next(self.request, reverse("deadline-list")))


urlpatterns = [
    path("deadlines/", DeadlineListView.as_view(), name="deadline-list"),
    path("deadlines/new/", DeadlineCreateView.as_view(), name="deadline-create"),
    path("deadlines/<int:pk>/met/", DeadlineMetView.as_view(), name="deadline-met"),
    path("deadlines/<int:pk>/extend/", DeadlineExtendView.as_view(), name="deadline-extend"),
]

__all__ = ["DeadlineListView", "DeadlineCreateView", "DeadlineMetView", "DeadlineExtendView", "urlpatterns"]
