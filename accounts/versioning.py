from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

STALE_MESSAGE = _(
    "Someone else changed this record while you were editing it. Reload it to see their "
    "changes, then make yours again."
)


def check_version(instance, submitted_version):
    """Lock the row and refuse the edit if it changed since `submitted_version` was read.

    Must run inside the transaction that saves the edit.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("check_version must run inside the transaction that saves the edit")
    current = (
        type(instance).objects.select_for_update().filter(pk=instance.pk).values_list("version", flat=True).first()
    )
    if submitted_version is None or int(submitted_version) != current:
        raise ValidationError(STALE_MESSAGE, code="stale")
    instance.version = current + 1
