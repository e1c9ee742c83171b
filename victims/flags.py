"""Conditions that must stay visible until someone acts on them, as SQL expressions so list
pages and dashboards flag every row in the same query. Apps above victims add the flags of
their own facts (protection: a risk re-assessment after a violation) with add_flag in their
ready()."""

from django.db.models import Exists, OuterRef

from cases.models import Charge

from .models.justice import RELATED_OFFENCES


def _charged_with_related_offence(**where):
    """Charges of a related offence against a defendant who is also a victim, with no
    non-punishment decision recorded for that defendant yet [PR 1.2.2, VS 21]."""
    return Charge.objects.filter(
        offence__in=RELATED_OFFENCES, defendant__victim__isnull=False,
        defendant__non_punishment_decision__isnull=True, **where,
    )


def victim_needs_non_punishment_decision():
    """For Victim querysets: .annotate(non_criminalisation_flag=victim_needs_non_punishment_decision())."""
    return Exists(_charged_with_related_offence(defendant__victim=OuterRef("pk")))


def case_needs_non_punishment_decision():
    """For Case querysets: a victim is charged in this case with an offence tied to their trafficking."""
    return Exists(_charged_with_related_offence(defendant__case=OuterRef("pk")))


_FLAGS = {"non_criminalisation_flag": victim_needs_non_punishment_decision}


def add_flag(name, expression):
    """Flag every victim list with `name`: `expression()` is SQL for Victim querysets."""
    if name in _FLAGS:
        raise ValueError(f"The victim flag {name!r} is added twice.")
    _FLAGS[name] = expression


def with_flags(victims):
    """Victims with the conditions that must stay visible, in the same query."""
    return victims.annotate(**{name: expression() for name, expression in _FLAGS.items()})
