from django.db import transaction

from .models import Agency, User
from .signals import agency_left


def change_agency(*, user, agency):
    """Move `user` to `agency` (None: to no agency). Their agency group follows (User.save),
    and leaving the old agency is announced (accounts.signals.agency_left) so that what they
    did for it ends in the same transaction. Returns the agency left, or None if it did not
    change."""
    with transaction.atomic():
        previous_id = User.objects.select_for_update().values_list("agency_id", flat=True).get(pk=user.pk)
        user.agency = agency
        user.save(update_fields=["agency"])
        if previous_id is None or previous_id == user.agency_id:
            return None
        left = Agency.objects.get(pk=previous_id)
        agency_left.send(sender=User, user=user, agency=left)
        return left
