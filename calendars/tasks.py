from celery import shared_task

from . import sweep


@shared_task(ignore_result=True)
def sweep_deadlines():
    """Beat runs this every settings.DEADLINE_SWEEP_MINUTES; see calendars/sweep.py. Short and
    idempotent, so a redelivered or doubled run does no harm."""
    return sweep.run(trigger="beat").counts
