"""E-mail for the notifications the deadline sweep records [SPEC 2.7]: beat runs it every
minute, apart from the sweep, so a slow or absent mail
server never holds up reminders and escalations (they are in the inbox the moment the sweep
records them) nor keeps the sweep's rows locked.

Each notification is e-mailed once: rows not yet e-mailed are taken with SELECT ... FOR UPDATE
SKIP LOCKED, a batch at a time, and stamped in the same transaction as their send. A batch
goes over one connection to the mail server, not one connection per message. A message the
server refuses stays unstamped for the next run.
"""

import logging
from collections import Counter

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.utils import timezone

from .models import Notification

logger = logging.getLogger(__name__)
BATCH = 500


def _message(notification, connection):
    link = settings.SITE_URL.rstrip("/") + notification.url if notification.url else ""
    return EmailMessage(notification.subject, "\n\n".join(filter(None, [notification.body, link])), None,
                        [notification.recipient.email], connection=connection)


def _send_batch(counts, after):
    """E-mail one batch of the notifications after pk `after`; returns (rows taken, the last
    pk taken, whether the mail server could be reached)."""
    with transaction.atomic():
        rows = list(Notification.objects.select_for_update(skip_locked=True, of=("self",))
                    .filter(emailed_at__isnull=True, pk__gt=after).select_related("recipient").order_by("pk")[:BATCH])
        done = [row.pk for row in rows if not row.recipient.email]  # nobody to e-mail: the inbox has it
        to_send = [row for row in rows if row.recipient.email]
        reached = True
        if to_send:
            connection = get_connection()
            try:
                connection.open()
            except Exception:
                logger.exception("notification e-mail: the mail server cannot be reached")
                counts["email_failures"] += len(to_send)
                to_send, reached = [], False
            try:
                for notification in to_send:
                    try:
                        _message(notification, connection).send()
                    except Exception:
                        logger.exception("notification e-mail: sending notification %s failed", notification.pk)
                        counts["email_failures"] += 1
                        continue
                    counts["emailed"] += 1
                    done.append(notification.pk)
            finally:
                connection.close()
        # Notifications keep no history: one statement marks the batch.
        Notification.objects.filter(pk__in=done).update(emailed_at=timezone.now())
    return len(rows), rows[-1].pk if rows else after, reached


def email_notifications():
    """E-mail every notification not yet e-mailed to a recipient with an address, a batch at a
    time, until none is left or the mail server cannot be reached; returns the counts. A
    message refused is passed over, not retried in the same run, so a batch of refused ones
    never holds up those behind it."""
    counts, after = Counter(), 0
    while True:
        taken, after, reached = _send_batch(counts, after)
        if taken < BATCH or not reached:
            return counts
