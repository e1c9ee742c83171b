"""get_FOO_display() from a table per field and language (accounts.fields.ChoiceLabels) says
exactly what Django's own would, for every model that uses it and every choice."""

import pytest
from django.db import models
from django.utils import translation

from accounts import fields as account_fields
from cases.models import Case
from deadlines.models import Deadline, Notification
from hearings.models import Hearing
from protection.models import ProtectionOrder
from referrals.models import Referral
from victims.models import Victim

MODELS = [Case, Victim, Referral, Hearing, Deadline, ProtectionOrder, Notification]


def _django_label(obj, field):
    return models.Model._get_FIELD_display(obj, field)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_every_choice_reads_as_django_would_say_it(model):
    assert issubclass(model, account_fields.ChoiceLabels)
    checked = 0
    for field in model._meta.concrete_fields:
        if not field.choices or field.flatchoices is None:
            continue
        for value, _label in field.flatchoices:
            obj = model(**{field.attname: value})
            assert getattr(obj, f"get_{field.name}_display")() == _django_label(obj, field)
            checked += 1
        # A value outside the choices shows as it is, as Django shows it.
        obj = model(**{field.attname: "not-a-choice"})
        assert getattr(obj, f"get_{field.name}_display")() == "not-a-choice"
    assert checked > 0


def test_each_language_has_its_own_table():
    hearing = Hearing(kind=Hearing.Kind.TRIAL_DAY)
    with translation.override("en"):
        english = hearing.get_kind_display()
    with translation.override("fr"):
        hearing.get_kind_display()
    field = Hearing._meta.get_field("kind")
    assert {("en", english)} <= {(lang, table[make]) for (f, lang), table in account_fields._CHOICE_LABELS.items()
                                 if f is field for make in [Hearing.Kind.TRIAL_DAY.value]}
    assert {lang for f, lang in account_fields._CHOICE_LABELS if f is field} >= {"en", "fr"}
