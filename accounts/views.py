from django.contrib.auth.mixins import LoginRequiredMixin, UserPassesTestMixin
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.generic import ListView, TemplateView

from cases.models import Case
from victims.flags import with_flags
from victims.models import Victim

from . import policy
from .audit import log_access
from .functions import Function
from .models import AccessLog

HOME_ROWS = 10


class HomeView(LoginRequiredMixin, TemplateView):
    """What this user may see, at a glance."""

    template_name = "home.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        context = super().get_context_data(**kwargs)
        if policy.may_use(user, Case):
            cases = policy.visible(user, Case).select_related("jurisdiction")
            context["cases"] = list(cases[:HOME_ROWS])
            context["case_count"] = cases.count()
            policy.record_shown(user, context["cases"], purpose="home")
        if policy.may_use(user, Victim):
            victims = with_flags(policy.visible(user, Victim))
            context["victims"] = victims[:HOME_ROWS]
            context["victim_count"] = victims.count()
        context["is_auditor"] = user.has_function(Function.AUDITOR)
        return context


class AccessLogView(LoginRequiredMixin, UserPassesTestMixin, ListView):
    """Auditors answer "who looked at this victim" and "who was refused what" here."""

    template_name = "accounts/access_log.html"
    paginate_by = 50

    def test_func(self):
        return self.request.user.has_function(Function.AUDITOR)

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


@never_cache
def health(request):
    """Liveness of the web process and its two services, for load balancers and compose."""
    status = {"database": False, "redis": False}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        status["database"] = True
    except Exception:
        pass
    try:
        cache.set("health", "ok", 5)
        status["redis"] = cache.get("health") == "ok"
    except Exception:
        pass
    ok = all(status.values())
    return JsonResponse({"ok": ok, **status}, status=200 if ok else 503)
