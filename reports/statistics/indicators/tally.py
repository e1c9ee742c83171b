"""Counting subjects (victims, cases, defendants, assets) in total, by one dimension or
cross-tabulated by two [SPEC 2.8, VS 18(e)]: one query whatever the data size.

Each subject is counted once (COUNT DISTINCT) in the total and once in each category it
falls in. A dimension holding several values (forms of exploitation) puts a subject in each
of its values, so its categories may add up to more than the total; "" is the category of
a subject with no value recorded (no nationality, no form of exploitation).
"""

from dataclasses import dataclass, field

from django.db.models import BooleanField, Count, ExpressionWrapper, Q
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


def tally(queryset, dimensions=(), *, measures=None):
    """Tally `queryset`'s rows (one query) by up to two Dimensions.

    With `measures` ({name: Q, or None for every row}), a Tally per name of the rows matching
    its condition, from the same one query: several counts of one population cost one scan."""
    if len(dimensions) > 2 or len({d.key for d in dimensions}) != len(dimensions):
        raise ValueError("Tally by at most two different dimensions.")
    if len([d for d in dimensions if d.multiple]) == 2:
        raise ValueError("Cross-tabulate a list dimension with a single-valued one.")
    if measures is None:
        return _tally(queryset, dimensions, {"": None})[""]
    if not measures:
        raise ValueError("Name at least one measure.")
    return _tally(queryset, dimensions, measures)


def _tally(queryset, dimensions, measures):
    """One GROUP BY over the single-valued dimensions and each measure's condition (a
    boolean computed once per row), counting per group the subjects and, for a list
    dimension, the subjects holding each of its values. Each subject falls in one group, so
    adding groups up counts it once."""
    singles = [d for d in dimensions if not d.multiple]
    listed = next((d for d in dimensions if d.multiple), None)
    counts, categories = _per_value(listed) if listed else ({}, {})
    flags = {f"measure_{number}": condition for number, condition in enumerate(measures.values())
             if condition is not None}
    queryset = queryset.order_by().annotate(
        **{alias: ExpressionWrapper(condition, output_field=BooleanField()) for alias, condition in flags.items()})
    keys = [d.field for d in singles] + list(flags)
    counts = {"n": _distinct(), **counts}
    groups = list(queryset.values(*keys).annotate(**counts)) if keys else [queryset.aggregate(**counts)]
    result = {}
    for number, (name, condition) in enumerate(measures.items()):
        chosen = groups if condition is None else [g for g in groups if g[f"measure_{number}"]]
        result[name] = _added_up(chosen, dimensions, singles, categories)
    return result


def _add(counts, key, n):
    counts[key] = counts.get(key, 0) + n


def _added_up(groups, dimensions, singles, categories):
    total, by_single, by_list, cells, columns = 0, {}, {}, {}, {}
    for group in groups:
        total += group["n"]
        values = [group[d.field] for d in singles]
        if not categories:
            if len(values) == 1:
                _add(by_single, values[0], group["n"])
            elif len(values) == 2:
                _add(by_single, values[0], group["n"])
                _add(columns, values[1], group["n"])
                _add(cells, tuple(values), group["n"])
            continue
        for alias, category in categories.items():
            _add(by_list, category, group[alias])
            if values:
                _add(cells, (values[0], category), group[alias])
        if values:
            _add(by_single, values[0], group["n"])
    by_single, by_list, cells, columns = map(_nonzero, (by_single, by_list, cells, columns))
    if not categories:
        return Tally(total, by_single, columns, cells)
    if not singles:
        return Tally(total, by_list)
    if dimensions[0] is singles[0]:
        return Tally(total, by_single, by_list, cells)
    return Tally(total, by_list, by_single, {(c, v): n for (v, c), n in cells.items()})
