"""Values to review after a vocabulary change [SPEC 2.3].

When the vocabularies took HTCDS's value names, most old codes had one new value and were
recoded. A few stood for more than one (gender "transgender / other", recruitment "online"):
guessing would put a wrong fact in a victim's file and in the national statistics, so the record
keeps the old code in `values_to_review` and holds no value for it until a person chooses. The
vocabulary module that retired the code (its `RETIRED` table) says what it meant and which values
replace it; saving the record with "reviewed" ticked empties the list.
"""

from dataclasses import dataclass

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class ValueToReview:
    field: str
    field_label: str
    was: str
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

    @property
    def needs_review(self):
        return bool(self.values_to_review)

    def review_notes(self):
        notes = []
        for entry in self.values_to_review:
            field = self._meta.get_field(entry["field"])
            meant, replaced_by = self.RETIRED.get(entry["field"], {}).get(entry["was"], (entry["was"], ()))
            choices = dict((getattr(field, "base_field", field)).choices or ())
            notes.append(ValueToReview(
                field=entry["field"], field_label=str(field.verbose_name), was=str(meant),
                choose_from=tuple(str(choices.get(value, value)) for value in replaced_by),
                codes=tuple(str(value) for value in replaced_by),
            ))
        return notes


@dataclass(frozen=True)
class Recoding:
    """One table's move to new codes, for a data migration (keep it frozen there).

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

    def forwards(self, apps):
        model, history = self._models(apps)
        flagged = set()
        for field, retired in self.retired.items():
            for old, left in retired.items():
                flagged |= self._take_out(model, field, old, left)
        for table in (model, history):
            for field, codes in self.codes.items():
                for old, new in codes.items():
                    self._replace(table, field, old, new)
            for (field, old), (other, new) in self.moves.items():
                self._move(table, field, old, other, new)
        self._write_history(model, history, flagged)

    def backwards(self, apps):
        model, history = self._models(apps)
        for table in (model, history):
            for (field, old), (other, new) in self.moves.items():
                self._move(table, other, new, field, old)
            for field, codes in self.codes.items():
                for old, new in codes.items():
                    self._replace(table, field, new, old)
            for field, old in self.otherwise.items():
                known = [*self.codes.get(field, {}), *self.retired.get(field, {}),
                         *(code for (source, code) in self.moves if source == field)]
                if self._is_list(table, field):
                    self._sql(table, f"{field} = ARRAY(SELECT DISTINCT CASE WHEN code = ANY(%s) THEN code ELSE %s END "
                              f"FROM unnest({field}) AS code)", f"NOT {field}::text[] <@ %s::text[]", [known, old, known])
                else:
                    self._sql(table, f"{field} = %s", f"NOT {field} = ANY(%s)", [old, known])
        rows = model.objects.exclude(values_to_review=[]) if self.retired else model.objects.none()
        for row in rows.iterator():
            for entry in row.values_to_review:
                if self._is_list(model, entry["field"]):
                    setattr(row, entry["field"], [*getattr(row, entry["field"]), entry["was"]])
                else:
                    setattr(row, entry["field"], entry["was"])
            row.values_to_review = []
            row.save()

    def _models(self, apps):
        app_label, name = self.model.split(".")
        return apps.get_model(app_label, name), apps.get_model(app_label, "Historical" + name)

    @staticmethod
    def _is_list(model, field):
        return isinstance(model._meta.get_field(field), ArrayField)

    def _replace(self, table, field, old, new):
        if self._is_list(table, field):
            self._sql(table, f"{field} = array_replace({field}, %s, %s)", f"%s = ANY({field})", [old, new, old])
        else:
            self._sql(table, f"{field} = %s", f"{field} = %s", [new, old])

    def _move(self, table, field, old, other, new):
        self._sql(table, f"{field} = array_remove({field}, %s), {other} = array_append({other}, %s)",
                  f"%s = ANY({field}) AND NOT %s = ANY({other})", [old, new, old, new])
        self._sql(table, f"{field} = array_remove({field}, %s)", f"%s = ANY({field})", [old, old])

    def _take_out(self, model, field, old, left):
        entry = "values_to_review = values_to_review || jsonb_build_array(jsonb_build_object('field', %s, 'was', %s))"
        if self._is_list(model, field):
            return self._sql(model, f"{field} = array_remove({field}, %s), {entry}", f"%s = ANY({field})",
                             [old, field, old, old])
        return self._sql(model, f"{field} = %s, {entry}", f"{field} = %s", [left, field, old, old])

    @staticmethod
    def _sql(table, assignments, condition, params):
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {table._meta.db_table} SET {assignments} WHERE {condition} RETURNING id", params)
            return {row[0] for row in cursor.fetchall()}

    def _write_history(self, model, history, ids):
        now = timezone.now()
        fields = [field.attname for field in model._meta.concrete_fields]
        rows = (history(**{name: getattr(row, name) for name in fields}, history_date=now, history_type="~",
                        history_change_reason=self.reason) for row in model.objects.filter(pk__in=ids).iterator())
        batch = []
        for row in rows:
            batch.append(row)
            if len(batch) == 1000:
                history.objects.bulk_create(batch)
                batch = []
        history.objects.bulk_create(batch)
