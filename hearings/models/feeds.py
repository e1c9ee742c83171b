import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class CalendarFeedToken(models.Model):
    """The secret in a user's iCalendar feed URL. Only its hash is kept: the URL is shown
    once, and revoking the token ends the feed at once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feeds")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    hint = models.CharField(_("ends in"), max_length=6, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")
        ordering = ["-created_at"]
        constraints = [
            # One live feed per user: making a new one revokes the old.
            models.UniqueConstraint(fields=["user"], condition=models.Q(revoked_at__isnull=True),
                                    name="calendar_feed_one_live_per_user"),
        ]

    def __str__(self):
        return f"{self.user} …{self.hint}"

    @staticmethod
    def digest(token):
        return hashlib.sha256(token.encode()).hexdigest()

    @classmethod
    def issue(cls, user):
        """A new live token for `user` (any live one is revoked): returns (row, secret)."""
        token = secrets.token_urlsafe(32)
        cls.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
        row = cls.objects.create(user=user, token_hash=cls.digest(token), hint=token[-6:])
        return row, token

    @property
    def is_live(self):
        return self.revoked_at is None
