"""The audit of the policy's decisions: the access log, for auditors [SPEC 3]. Every read of a
watched record, every identity read and every refusal is logged (accounts.audit); here the
auditors answer "who looked at this victim" and "who was refused what"."""

from django.contrib.auth.mixins import LoginRequiredMixin, UserPassesTestMixin
from django.views.generic import ListView

import access
from accounts.audit import log_access
from accounts.models import AccessLog

from .filters import AccessLogFilter
from .mixins import FilteredListMixin


class AccessLogView(LoginRequiredMixin, UserPassesTestMixin, FilteredListMixin, ListView):
    """Auditors answer "who looked at this victim" and "who was refused what" here."""

    template_name = "accounts/access_log.html"
    filterset_class = AccessLogFilter
    paginate_by = 50

    def test_func(self):
        return access.may(self.request.user, "read_access_log")

    def handle_no_permission(self):
        if self.request.user.is_authenticated:
            log_access(self.request.user, AccessLog.Action.DENIED, requested="read access log")
        return super().handle_no_permission()

    def unfiltered_queryset(self):
        return AccessLog.objects.select_related("content_type")
