from celery import shared_task

from . import mailing, sweep


@shared_task(ignore_result=True)
def sweep_deadlines():
    """Beat runs this every settings.DEADLINE_SWEEP_MINUTES; see deadlines/sweep.py. Short and
    idempotent, so a redelivered or doubled run does no harm."""
    return sweep.run(trigger="beat").counts


@shared_task(ignore_result=True)
def email_notifications():
    """Beat runs this every minute; see deadlines/mailing.py. Each notification is e-mailed once."""
    return dict(mailing.email_notifications())
