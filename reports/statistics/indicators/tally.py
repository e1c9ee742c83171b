"""Counting subjects (victims, cases, defendants, assets) in total, by one dimension or
cross-tabulated by two [SPEC 2.8, VS 18(e)]: one query whatever the data size.

Each subject is counted once (COUNT DISTINCT) in the total and once in each category it
falls in. A dimension holding several values (forms of exploitation) puts a subject in each
of its values, so its categories may add up to more than the total; "" is the category of
a subject with no value recorded (no nationality, no form of exploitation).
"""

from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from cases.models import Defendant
from cases.models.vocabularies import ExploitationForm
from victims.models import Gender, Victim

NONE = ""  # the category of "nothing recorded"


@dataclass(frozen=True)
class Dimension:
    key: str
    label: str
    field: str  # the lookup from the counted row
    # For a field holding a list: its vocabulary (one conditional count per value).
    values: tuple = ()
    labels: dict = field(default_factory=dict, compare=False)

    @property
    def multiple(self):
        return bool(self.values)


def _form(path):
    return Dimension("exploitation_form", _("Form of exploitation"), f"{path}exploitation_forms",
                     tuple(ExploitationForm.values), dict(ExploitationForm.choices))


# What each kind of counted row can be broken down by.
VICTIM_DIMENSIONS = {d.key: d for d in (
    Dimension("sex", _("Sex"), "sex", labels=dict(Gender.choices)),
    Dimension("age_group", _("Age group"), "age_group", labels=dict(Victim.AgeGroup.choices)),
    Dimension("nationality", _("Nationality"), "nationality"),
    _form(""),
    Dimension("status", _("Status now"), "status", labels=dict(Victim.Status.choices)),
)}
CASE_DIMENSIONS = {"exploitation_form": _form("")}
DEFENDANT_DIMENSIONS = {
    "kind": Dimension("kind", _("Natural or legal person"), "kind", labels=dict(Defendant.Kind.choices)),
    "exploitation_form": _form("case__"),  # the forms of the defendant's case
}
ASSET_DIMENSIONS = {"exploitation_form": _form("case__")}


@dataclass(frozen=True)
class Tally:
    """Counts only: `rows` by the first dimension, `columns` by the second, `cells` by both
    ({(row, column): n}); `total` counts each subject once."""

    total: int
    rows: dict = field(default_factory=dict)
    columns: dict = field(default_factory=dict)
    cells: dict = field(default_factory=dict)


def _distinct(condition=None):
    return Count("pk", distinct=True, filter=condition)


def _per_value(dimension):
    """{alias: conditional count} for a list dimension, and alias -> category."""
    counts, categories = {}, {}
    for number, value in enumerate(dimension.values):
        counts[f"by_{number}"], categories[f"by_{number}"] = (
            _distinct(Q(**{f"{dimension.field}__contains": [value]})), value)
    counts["by_none"], categories["by_none"] = _distinct(Q(**{dimension.field: []})), NONE
    return counts, categories


def _nonzero(counts):
    return {key: n for key, n in counts.items() if n}


def tally(queryset, dimensions=()):
    """Tally `queryset`'s rows (one query) by up to two Dimensions."""
    queryset = queryset.order_by()
    if len(dimensions) > 2 or len({d.key for d in dimensions}) != len(dimensions):
        raise ValueError("Tally by at most two different dimensions.")
    if not dimensions:
        return Tally(queryset.aggregate(n=_distinct())["n"])
    if len(dimensions) == 1:
        (dimension,) = dimensions
        if dimension.multiple:
            counts, categories = _per_value(dimension)
            row = queryset.aggregate(n=_distinct(), **counts)
            return Tally(row["n"], _nonzero({categories[a]: row[a] for a in categories}))
        rows = dict(queryset.values(dimension.field).annotate(n=_distinct()).values_list(dimension.field, "n"))
        # Single-valued: each subject in one category, so they add up to the total.
        return Tally(sum(rows.values()), _nonzero(rows))
    multiple = [d for d in dimensions if d.multiple]
    if len(multiple) == 2:
        raise ValueError("Cross-tabulate a list dimension with a single-valued one.")
    if not multiple:
        a, b = dimensions
        cells = {(va, vb): n for va, vb, n in
                 queryset.values(a.field, b.field).annotate(n=_distinct()).values_list(a.field, b.field, "n")}
        rows, columns = {}, {}
        for (va, vb), n in cells.items():
            rows[va] = rows.get(va, 0) + n
            columns[vb] = columns.get(vb, 0) + n
        return Tally(sum(cells.values()), rows, columns, cells)
    single = next(d for d in dimensions if not d.multiple)
    counts, categories = _per_value(multiple[0])
    by_single, by_list, cells = {}, {}, {}
    for row in queryset.values(single.field).annotate(n=_distinct(), **counts):
        value = row[single.field]
        by_single[value] = row["n"]
        for alias, category in categories.items():
            if row[alias]:
                # Each subject has one value of the single-valued dimension: summing over it
                # counts a subject once per category of the list dimension.
                cells[(value, category)] = row[alias]
                by_list[category] = by_list.get(category, 0) + row[alias]
    total = sum(by_single.values())
    if dimensions[0] is single:
        return Tally(total, _nonzero(by_single), by_list, cells)
    return Tally(total, by_list, _nonzero(by_single), {(c, v): n for (v, c), n in cells.items()})
