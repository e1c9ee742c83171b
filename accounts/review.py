"""Values to review after a vocabulary change [SPEC 2.3].

When the vocabularies took HTCDS's value names, most old codes had one new value and were
recoded. A few stood for more than one (gender "transgender / other", recruitment "online"):
guessing would put a wrong fact in a victim's file and in the national statistics, so the record
keeps the old code in `values_to_review` and holds no value for it until a person chooses. The
vocabulary module that retired the code (its `RETIRED` table) says what it meant and which values
replace it; saving the record with "reviewed" ticked empties the list.
"""

from dataclasses import dataclass

from django import forms
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class ValueToReview:
    field: str
    field_label: str
    retired_code: str
    was: str  # what it meant
    choose_from: tuple  # labels
    codes: tuple  # the codes they stand for


class ReviewsRecodedValues(models.Model):
    """A record that may hold retired codes to review. `RETIRED` maps a field's name to its
    retired codes: {code: (what it meant, the values that replace it)}."""

    RETIRED: dict = {}

    values_to_review = models.JSONField(
        _("recoded values to review"), default=list, blank=True, editable=False,
        help_text=_("Codes of an earlier vocabulary that stood for more than one of today's values."),
    )

    class Meta:
        abstract = True

    def review_notes(self):
        notes = []
        for entry in self.values_to_review:
            field = self._meta.get_field(entry["field"])
            meant, replaced_by = self.RETIRED.get(entry["field"], {}).get(entry["was"], (entry["was"], ()))
            choices = dict((getattr(field, "base_field", field)).choices or ())
            notes.append(ValueToReview(
                field=entry["field"], field_label=str(field.verbose_name), retired_code=entry["was"], was=str(meant),
                choose_from=tuple(str(choices.get(value, value)) for value in replaced_by),
                codes=tuple(str(value) for value in replaced_by),
            ))
        return notes


def offer_review(form):
    """Give a ModelForm of a record holding values to review its "reviewed" tick."""
    if form.instance.values_to_review:
        form.fields["values_reviewed"] = forms.BooleanField(
            required=False, label=_("I have chosen the values that replace the recoded ones listed above"),
            help_text=_("Until then the record stays marked “to review”."))


@dataclass(frozen=True)
class Recoding:
    """One table's move to new codes, for a data migration. Applied migrations run this code:
    change it only in ways that keep their results.

    `codes`: {field: {old: new}}, applied to the record and to its history alike, since the
    meaning does not change, only the spelling. `moves`: {(field, old): (other field, new)}, a
    value that now belongs in another field. `retired`: {field: {old: value left in its place}}
    (None for a list field: the code is only taken out); the record keeps the code among its
    values to review, its history keeps what was recorded, and one history row says why the
    record changed. `otherwise`: {field: old code}, what a value the old vocabulary lacks
    becomes when the migration is reversed."""

    model: str
    codes: dict
    moves: dict
    retired: dict
    otherwise: dict
    reason: str

    def forwards(self, apps, schema_editor):
        db = schema_editor.connection
        model, history = self._models(apps)
        flagged = set()
        for field, retired in self.retired.items():
            for old, left in retired.items():
                flagged |= self._take_out(db, model, field, old, left)
        for table in (model, history):
            for field, codes in self.codes.items():
                for old, new in codes.items():
                    self._replace(db, table, field, old, new)
            for (field, old), (other, new) in self.moves.items():
                self._move(db, table, field, old, other, new)
        self._write_history(db, model, history, flagged)

    def backwards(self, apps, schema_editor):
        db = schema_editor.connection
        model, history = self._models(apps)
        history.objects.using(db.alias).filter(history_change_reason=self.reason).delete()
        for table in (model, history):
            for (field, old), (other, new) in self.moves.items():
                self._move(db, table, other, new, field, old)
            for field, codes in self.codes.items():
                for old, new in codes.items():
                    self._replace(db, table, field, new, old)
            # A value of a field the moves filled that none of them put there (a lure "Other").
            for other, field in {other: field for (field, _old), (other, _new) in self.moves.items()}.items():
                old = self.otherwise[field]
                self._sql(db, table, f"{field} = array_append({field}, %s)",
                          f"cardinality({other}) > 0 AND NOT %s = ANY({field})", [old, old])
                self._sql(db, table, f"{other} = '{{}}'", f"cardinality({other}) > 0", [])
            for field, old in self.otherwise.items():
                known = [*self.codes.get(field, {}), *self.retired.get(field, {}),
                         *(code for (source, code) in self.moves if source == field)]
                if self._is_list(table, field):
                    # In the order held, each code once.
                    self._sql(db, table, f"{field} = ARRAY(SELECT mapped FROM (SELECT CASE WHEN code = ANY(%s) "
                              f"THEN code ELSE %s END AS mapped, n FROM unnest({field}) WITH ORDINALITY AS t(code, n)) "
                              "AS m GROUP BY mapped ORDER BY min(n))", f"NOT {field}::text[] <@ %s::text[]",
                              [known, old, known])
                else:
                    self._sql(db, table, f"{field} = %s", f"NOT {field} = ANY(%s)", [old, known])
        rows = model.objects.using(db.alias).exclude(values_to_review=[]) if self.retired else []
        for row in rows:
            for entry in row.values_to_review:
                field, was = entry["field"], entry["was"]
                if self._is_list(model, field):
                    setattr(row, field, [*getattr(row, field), was])
                elif getattr(row, field) == self.retired[field][was]:  # unless a person has chosen since
                    setattr(row, field, was)
            row.values_to_review = []
            row.save(using=db.alias)

    def _models(self, apps):
        app_label, name = self.model.split(".")
        return apps.get_model(app_label, name), apps.get_model(app_label, "Historical" + name)

    @staticmethod
    def _is_list(model, field):
        return isinstance(model._meta.get_field(field), ArrayField)

    def _replace(self, db, table, field, old, new):
        if self._is_list(table, field):
            self._sql(db, table, f"{field} = array_replace({field}, %s, %s)", f"%s = ANY({field})", [old, new, old])
        else:
            self._sql(db, table, f"{field} = %s", f"{field} = %s", [new, old])

    def _move(self, db, table, field, old, other, new):
        self._sql(db, table, f"{field} = array_remove({field}, %s), {other} = array_append({other}, %s)",
                  f"%s = ANY({field}) AND NOT %s = ANY({other})", [old, new, old, new])
        self._sql(db, table, f"{field} = array_remove({field}, %s)", f"%s = ANY({field})", [old, old])

    def _take_out(self, db, model, field, old, left):
        entry = "values_to_review = values_to_review || jsonb_build_array(jsonb_build_object('field', %s, 'was', %s))"
        if self._is_list(model, field):
            return self._sql(db, model, f"{field} = array_remove({field}, %s), {entry}", f"%s = ANY({field})",
                             [old, field, old, old], returning=True)
        return self._sql(db, model, f"{field} = %s, {entry}", f"{field} = %s", [left, field, old, old], returning=True)

    @staticmethod
    def _sql(db, table, assignments, condition, params, returning=False):
        """Field and table names come from the migration's frozen constants; values are parameters."""
        with db.cursor() as cursor:
            cursor.execute(f"UPDATE {table._meta.db_table} SET {assignments} WHERE {condition}"
                           + (" RETURNING id" if returning else ""), params)
            return {row[0] for row in cursor.fetchall()} if returning else set()

    def _write_history(self, db, model, history, ids):
        now = timezone.now()
        fields = [field.attname for field in model._meta.concrete_fields]
        rows = (history(**{name: getattr(row, name) for name in fields}, history_date=now, history_type="~",
                        history_change_reason=self.reason)
                for row in model.objects.using(db.alias).filter(pk__in=ids).iterator())
        batch = []
        for row in rows:
            batch.append(row)
            if len(batch) == 1000:
                history.objects.using(db.alias).bulk_create(batch)
                batch = []
        history.objects.using(db.alias).bulk_create(batch)
