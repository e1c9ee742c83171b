from celery import shared_task
from django.core import management
from django.core.cache import cache
from django.utils import timezone

BEAT_HEARTBEAT_KEY = "beat:last-heartbeat"


@shared_task
def clear_expired_sessions():
    """Idle sessions expire in the browser; this removes them from the database too."""
    management.call_command("clearsessions")


@shared_task
def record_beat_heartbeat():
    """Written every minute through the worker, so its age shows that beat and a worker run."""
    now = timezone.now()
    cache.set(BEAT_HEARTBEAT_KEY, now.isoformat(), timeout=None)
    return now.isoformat()


def last_heartbeat():
    value = cache.get(BEAT_HEARTBEAT_KEY)
    return timezone.datetime.fromisoformat(value) if value else None
