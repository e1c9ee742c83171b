from django.contrib.auth.mixins import LoginRequiredMixin, UserPassesTestMixin
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from accounts import policy
from accounts.functions import Function

from . import services


class FunctionRequiredMixin(LoginRequiredMixin, UserPassesTestMixin):
    """Signed-in users without `function` get 403 (anonymous ones go to the login page)."""

    function = None

    def test_func(self):
        return self.request.user.has_function(self.function)


class ProsecutorDashboardView(FunctionRequiredMixin, TemplateView):
    template_name = "reports/prosecutor_dashboard.html"
    function = Function.PROSECUTOR
    permission_denied_message = _("Only prosecutors have a continuity dashboard.")

    def get_context_data(self, **kwargs):
        user = self.request.user
        cases = services.my_cases(user)
        # A list shows restricted cases as surely as their pages do: log them.
        policy.record_shown(user, cases, purpose="prosecutor dashboard")
        return super().get_context_data(cases=cases, **kwargs)


class SupervisorDashboardView(FunctionRequiredMixin, TemplateView):
    template_name = "reports/supervisor_dashboard.html"
    function = Function.SUPERVISOR
    permission_denied_message = _("Only supervisors see the supervision of a prosecution office.")

    def get_context_data(self, **kwargs):
        user = self.request.user
        late = services.over_standard(user)
        policy.record_shown(user, late, purpose="supervisor dashboard")
        return super().get_context_data(
            office=user.agency, continuity=services.continuity(user), caseload=services.caseload(user),
            over_standard=late, **kwargs,
        )
