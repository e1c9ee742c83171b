"""The Celery app runs real tasks through a real worker on the real Redis broker."""

import datetime

import pytest
from celery.contrib.testing.worker import start_worker
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.utils import timezone

from accounts import tasks
from config.celery import app


@pytest.fixture(scope="module")
def worker():
    with start_worker(app, perform_ping_check=False, pool="solo", concurrency=1, loglevel="WARNING"):
        yield


def test_beat_schedule_names_real_tasks():
    for entry in app.conf.beat_schedule.values():
        assert entry["task"] in app.tasks, entry["task"]


def test_heartbeat_runs_through_the_worker(worker):
    cache.delete(tasks.BEAT_HEARTBEAT_KEY)
    result = tasks.record_beat_heartbeat.delay()
    deadline = timezone.now() + datetime.timedelta(seconds=20)
    while tasks.last_heartbeat() is None and timezone.now() < deadline:
        import time

        time.sleep(0.1)
    assert result.id
    assert timezone.now() - tasks.last_heartbeat() < datetime.timedelta(seconds=30)


@pytest.mark.django_db(transaction=True)
def test_expired_sessions_are_cleared_by_the_worker(worker):
    Session.objects.create(session_key="old", session_data="", expire_date=timezone.now() - datetime.timedelta(1))
    Session.objects.create(session_key="live", session_data="", expire_date=timezone.now() + datetime.timedelta(1))
    tasks.clear_expired_sessions.delay()
    deadline = timezone.now() + datetime.timedelta(seconds=20)
    while Session.objects.filter(session_key="old").exists() and timezone.now() < deadline:
        import time

        time.sleep(0.1)
    assert list(Session.objects.values_list("session_key", flat=True)) == ["live"]
