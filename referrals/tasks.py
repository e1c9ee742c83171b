"""E-mail the receiving agency of each new referral. Notices are rows (ReferralNotice, one
per referral and agency); the beat sweep picks those not yet e-mailed with SKIP LOCKED, so two
workers never take the same one, and stamps each in the same transaction as its send."""

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import ReferralNotice

BATCH = 100


def _address(agency):
    entry = getattr(agency, "directory_entry", None)
    return (entry.contact_email if entry is not None else "") or agency.contact_email


@shared_task
def email_referral_notices():
    sent = 0
    with transaction.atomic():
        due = (ReferralNotice.objects.select_for_update(skip_locked=True, of=("self",))
               .filter(emailed_at__isnull=True).select_related("referral", "agency__directory_entry")[:BATCH])
        for notice in due:
            address = _address(notice.agency)
            if address:
                # Never a name, code or detail of the victim: the link leads to the access policy.
                send_mail(
                    _("New referral (%(urgency)s)") % {"urgency": notice.referral.get_urgency_display()},
                    _("Your agency has received a referral. Open it in the case management system: %(url)s")
                    % {"url": settings.SITE_URL.rstrip("/") + reverse("referral-inbox")},
                    None, [address],
                )
            notice.emailed_at = timezone.now()
            notice.save(update_fields=["emailed_at"])
            sent += bool(address)
    return sent
