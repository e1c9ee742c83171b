"""The deadline sweep's status page for administrators: the last sweeps (when, how long, what
they did), items waiting for a retry, and whether beat is alive. No case content."""

import datetime

from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.tasks import last_heartbeat

from .models import SweepFailure, SweepRun

# Beat writes its heartbeat every minute; three missed ones mean it is down.
BEAT_ALIVE_WITHIN = datetime.timedelta(minutes=3)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SweepRun)
class SweepRunAdmin(ReadOnlyAdmin):
    change_list_template = "admin/deadlines/sweeprun/change_list.html"
    list_display = ["started_at", "trigger", "seconds", "summary", "failed"]
    list_filter = ["trigger"]

    @admin.display(description=_("seconds"))
    def seconds(self, run):
        return None if run.duration is None else round(run.duration.total_seconds(), 2)

    @admin.display(description=_("what it did"))
    def summary(self, run):
        return ", ".join(f"{key} {value}" for key, value in sorted(run.counts.items()) if value) or "—"

    @admin.display(description=_("error"), boolean=True)
    def failed(self, run):
        return bool(run.error)

    def changelist_view(self, request, extra_context=None):
        heartbeat = last_heartbeat()
        now = timezone.now()
        last = SweepRun.objects.filter(finished_at__isnull=False).first()
        extra_context = {
            **(extra_context or {}),
            "heartbeat": heartbeat,
            "beat_alive": heartbeat is not None and now - heartbeat < BEAT_ALIVE_WITHIN,
            "last_run": last,
            "last_run_seconds": None if last is None else round(last.duration.total_seconds(), 2),
            "last_run_summary": None if last is None else self.summary(last),
            "waiting_retries": SweepFailure.objects.count(),
        }
        return super().changelist_view(request, extra_context)


@admin.register(SweepFailure)
class SweepFailureAdmin(ReadOnlyAdmin):
    list_display = ["failed_at", "item", "attempts", "retry_at", "error"]

    @admin.display(description=_("item"))
    def item(self, failure):
        return f"deadline {failure.deadline_id}" if failure.deadline_id else f"hearing {failure.hearing_id}"
