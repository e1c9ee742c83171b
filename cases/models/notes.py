from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .case import Case


class CaseNote(models.Model):
    class Scope(models.TextChoices):
        TEAM = "team", _("Case team")
        AGENCY = "agency", _("My agency")
        NGO = "ngo", _("NGO only")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    author_agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="+")
    scope = models.CharField(_("who may read it"), max_length=10, choices=Scope.choices, default=Scope.TEAM)
    text = models.TextField(_("note"))
    created_at = models.DateTimeField(_("written"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("case note")
        verbose_name_plural = _("case notes")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"note {self.pk} on {self.case}"
