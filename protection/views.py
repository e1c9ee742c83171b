"""Protection order pages [SPEC 2.6]: recording an order, its page (terms, events, violations,
deadlines), varying, reviewing and revoking it, reporting a violation and recording what was
done about it. The "Protection orders" panels of the victim and case pages are in selectors.py.

Every page loads its object through the access policy (404 for what the user may not see,
403 for what they may not do) and writes through protection.services, which asks again.
"""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, TemplateView

import access
from access.mixins import add_errors
from accounts.audit import log_access
from accounts.models import AccessLog
from cases.models import Case
from victims.models import Victim

from . import services
from .forms import OrderForm, ReviewForm, RevokeForm, VaryForm, ViolationActionForm, ViolationForm
from .models import ProtectionOrder, Violation

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def orders_for(user):
    """Orders with the user's right to each action and what they may see around them."""
    orders = ProtectionOrder.objects.select_related("victim", "case", "issuing_court", "restrained_defendant",
                                                    "recorded_by")
    return services.with_visibility(user, orders)


class OrderMixin(LoginRequiredMixin):
    """Loads the order named in the URL with every right on it (locked when writing) and
    requires `policy_action`."""

    policy_action = "view"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        writing = request.method not in SAFE_METHODS
        self.order = access.load_or_404(request.user, orders_for(request.user), self.policy_action,
                                        for_update=writing, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(order=self.order, **kwargs)


# --- Recording an order -------------------------------------------------------------------

class OrderCreateView(LoginRequiredMixin, FormView):
    """Record an order the court issued, for ?victim=<id> (and ?case=<id>), where the policy
    lets the user record one."""

    template_name = "protection/order_form.html"
    form_class = OrderForm

    def _param(self, name):
        value = self.request.GET.get(name, "")
        if not value.isdigit():
            raise Http404
        return int(value)

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        user = request.user
        self.victim = access.get_object(user, Victim, pk=self._param("victim"))
        if self.victim is None:
            raise Http404
        access.require(user, "view", self.victim)
        self.case = None
        if request.GET.get("case"):
            self.case = access.get_object(user, Case, pk=self._param("case"))
            if self.case is None:
                raise Http404
            access.require(user, "view", self.case)
            if not self.case.victim_links.filter(victim=self.victim).exists():
                raise Http404
        if not services.may_record_some(user, self.victim, self.case):
            raise PermissionDenied(_("You may not record protection orders for this victim."))
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        user = self.request.user
        return {**super().get_form_kwargs(), "user": user, "victim": self.victim, "case": self.case,
                "show_defendants": self.case is not None and access.can(user, "view_proceedings", self.case),
                "show_relatives": access.can(user, "view_identity", self.victim)}

    def get_context_data(self, **kwargs):
        return super().get_context_data(victim=self.victim, case=self.case, **kwargs)

    def form_valid(self, form):
        order = form.save(commit=False)
        try:
            order = services.record_order(order, actor=self.request.user, relatives=form.relatives())
        except ValidationError as error:
            add_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("The %(kind)s is recorded.") % {"kind": order.get_kind_display().lower()})
        return redirect(order)


# --- An order's page ----------------------------------------------------------------------

class OrderDetailView(OrderMixin, TemplateView):
    """The order: terms, protected people, restrained person, events, violations and the
    deadlines the user may see. A constant number of queries whatever it holds."""

    template_name = "protection/order_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        order, user = self.order, self.request.user
        if order.identity_visible:
            relatives = list(order.protected_relatives.all())
            if relatives:
                # A relative's name identifies the victim as surely as the victim's own.
                log_access(user, AccessLog.Action.VIEW_IDENTITY, [order.victim],
                           purpose="protection order: protected relatives")
            context["relatives"] = relatives
        else:
            context["relative_count"] = order.protected_relatives.count()
        context["events"] = order.events.select_related("by")
        context["violations"] = order.violations.select_related("reported_by")
        context["deadlines"] = access.visible(user, order.deadlines.all()).select_related(
            "responsible_user", "responsible_agency")
        if order.case_visible:
            access.record_shown(user, [order.case], purpose="protection order")
        return context


# --- Changing an order --------------------------------------------------------------------

class OrderChangeView(OrderMixin, FormView):
    """A change the court made to the order (vary, review, revoke), through its service."""

    policy_action = "change"
    template_name = "protection/order_change.html"
    heading = ""
    intro = ""
    button = ""
    done = ""
    service = None

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "order": self.order}

    def get_context_data(self, **kwargs):
        return super().get_context_data(heading=self.heading, intro=self.intro, button=self.button, **kwargs)

    def form_valid(self, form):
        try:
            order = type(self).service(self.order, actor=self.request.user, **form.service_kwargs())
        except ValidationError as error:
            add_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, self.done)
        return redirect(order)


class OrderVaryView(OrderChangeView):
    form_class = VaryForm
    service = services.vary
    heading = gettext_lazy("Vary the order")
    intro = gettext_lazy("The court changed the order's terms: it stays in force, as varied.")
    button = gettext_lazy("Record the variation")
    done = gettext_lazy("The variation is recorded; the order stays in force.")

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        if self.order.identity_visible:
            kwargs["relatives"] = self.order.victim.protected_relatives.all()
        return kwargs


class OrderReviewView(OrderChangeView):
    form_class = ReviewForm
    service = services.review
    heading = gettext_lazy("Record a review")
    intro = gettext_lazy("The review deadline is met and the next one set.")
    button = gettext_lazy("Record the review")
    done = gettext_lazy("The review is recorded.")


class OrderRevokeView(OrderChangeView):
    form_class = RevokeForm
    service = services.revoke
    heading = gettext_lazy("Revoke the order")
    intro = gettext_lazy("A revoked order is no longer in force and can no longer change.")
    button = gettext_lazy("Revoke the order")
    done = gettext_lazy("The order is revoked.")


# --- Violations ---------------------------------------------------------------------------

class ViolationReportView(OrderMixin, FormView):
    """Report a violation of the order: the victim is flagged for a risk re-assessment and the
    prosecutor and the supporting NGO are told."""

    policy_action = "report_violation"
    template_name = "protection/violation_form.html"
    form_class = ViolationForm

    def get_context_data(self, **kwargs):
        return super().get_context_data(heading=_("Report a violation"), **kwargs)

    def form_valid(self, form):
        violation = form.save(commit=False)
        violation.order = self.order
        try:
            services.report_violation(violation, actor=self.request.user)
        except ValidationError as error:
            add_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("The violation is recorded. The prosecutor and the supporting organisation "
                                         "are told, and the victim's risk is to be re-assessed."))
        return redirect(f"{self.order.get_absolute_url()}#violations")


class ViolationEditView(LoginRequiredMixin, FormView):
    """Record the action taken on a violation and its escalation."""

    template_name = "protection/violation_form.html"
    form_class = ViolationActionForm

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        writing = request.method not in SAFE_METHODS
        self.violation = access.get_object(request.user, Violation.objects.select_related("order__victim"),
                                           for_update=writing, pk=kwargs["pk"])
        if self.violation is None:
            raise Http404
        access.require(request.user, "change", self.violation)
        self.order = self.violation.order
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.violation}

    def get_context_data(self, **kwargs):
        return super().get_context_data(heading=_("Action on the violation"), order=self.order,
                                        violation=self.violation, **kwargs)

    def form_valid(self, form):
        try:
            services.update_violation(form.save(commit=False), actor=self.request.user)
        except ValidationError as error:
            add_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Saved."))
        return redirect(f"{self.order.get_absolute_url()}#violations")
