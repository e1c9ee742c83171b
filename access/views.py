"""The audit of the policy's decisions: the access log, for auditors [SPEC 3]. Every read of a
watched record, every identity read and every refusal is logged (accounts.audit); here the
auditors answer "who looked at this victim" and "who was refused what"."""

from django.contrib.auth.mixins import LoginRequiredMixin, UserPassesTestMixin
from django.views.generic import ListView

import access
from accounts.audit import log_access
from accounts.models import AccessLog


class AccessLogView(LoginRequiredMixin, UserPassesTestMixin, ListView):
    """Auditors answer "who looked at this victim" and "who was refused what" here."""

    template_name = "accounts/access_log.html"
    paginate_by = 50

    def test_func(self):
        return access.may(self.request.user, "read_access_log")

    def handle_no_permission(self):
        if self.request.user.is_authenticated:
            log_access(self.request.user, AccessLog.Action.DENIED, requested="read access log")
        return super().handle_no_permission()

    def get_queryset(self):
        entries = AccessLog.objects.select_related("content_type")
        q = self.request.GET
        if q.get("object"):
            entries = entries.filter(object_label__iexact=q["object"].strip())
        if q.get("user"):
            entries = entries.filter(username__iexact=q["user"].strip())
        if q.get("action") in AccessLog.Action.values:
            entries = entries.filter(action=q["action"])
        return entries

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["actions"] = AccessLog.Action.choices
        context["filters"] = self.request.GET
        return context
