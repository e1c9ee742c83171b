"""The aggregate right: counting every case and victim of a jurisdiction for national
statistics [SPEC 2.8, NA III.C.1, VS 18(e)], including those the reader may not open.

The right hands out conditions, never rows: an `AggregateScope` holds only the SQL conditions
that place a case, a victim or a record about either in the permitted jurisdictions, for a
statistic to aggregate over (reports.statistics.indicators). Who holds it, and where, is
rules.aggregated_jurisdictions.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q, Subquery
from django.utils.translation import gettext as _


def _prefix(path):
    return f"{path}__" if path else ""


class AggregateScope:
    """The jurisdictions a statistic counts in, as conditions only. `cases(path)` and
    `victims(path)` take the lookup path from the counted row to its case or victim ("" for
    the Case or Victim itself)."""

    __slots__ = ("_jurisdictions",)

    def __init__(self, jurisdictions):
        # An SQL subquery of ids, run inside the statistic's own query: nothing to iterate.
        self._jurisdictions = Subquery(jurisdictions.order_by().values("pk"))

    def cases(self, path=""):
        """Rows whose case (at `path`) belongs to a permitted jurisdiction."""
        return Q(**{f"{_prefix(path)}jurisdiction__in": self._jurisdictions})

    def victims(self, path=""):
        """Rows whose victim (at `path`) belongs to a permitted jurisdiction: recorded by an
        agency of it, or linked to one of its cases. A victim can so belong to two."""
        from victims.models import VictimCaseLink

        linked = VictimCaseLink.objects.filter(case__jurisdiction__in=self._jurisdictions).values("victim_id")
        prefix = _prefix(path)
        return (Q(**{f"{prefix}recording_agency__jurisdiction__in": self._jurisdictions})
                | Q(**{f"{prefix}pk__in": linked}))

    def __repr__(self):
        return "<AggregateScope>"


def may_aggregate(user, jurisdiction):
    """Whether the user may count every case and victim of `jurisdiction`."""
    from .rules import aggregated_jurisdictions

    return aggregated_jurisdictions(user).filter(pk=jurisdiction.pk).exists()


def aggregate_scope(user, *, jurisdiction=None):
    """The scope a statistic counts in: every jurisdiction the user may aggregate, or the
    one named (PermissionDenied if it is not one of them)."""
    from .rules import aggregated_jurisdictions

    jurisdictions = aggregated_jurisdictions(user)
    if jurisdiction is not None:
        if not may_aggregate(user, jurisdiction):
            raise PermissionDenied(_("You may not compile statistics for %(jurisdiction)s.")
                                   % {"jurisdiction": jurisdiction})
        jurisdictions = jurisdictions.filter(pk=jurisdiction.pk)
    return AggregateScope(jurisdictions)
