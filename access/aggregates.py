"""The aggregate right: counting every case and victim of a jurisdiction for national
statistics [SPEC 2.8, NA III.C.1, VS 18(e)], including those the reader may not open.

The right hands out conditions, never rows: an `AggregateScope` holds only the SQL conditions
that place a case, a victim or a record about either in the permitted jurisdictions, for a
statistic to aggregate over (reports.statistics.indicators). Who holds it, and where, is
offices.aggregated_jurisdictions.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Subquery
from django.utils.translation import gettext as _

from .offices import aggregated_jurisdictions
from .registry import rule_for


class AggregateScope:
    """The jurisdictions a statistic counts in, as conditions only. `cases(path)` and
    `victims(path)` take the lookup path from the counted row to its case or victim ("" for
    the Case or Victim itself); what places each in a jurisdiction is its rule's
    `in_jurisdictions` (cases.access, victims.access)."""

    __slots__ = ("_jurisdictions",)

    def __init__(self, jurisdictions):
        # An SQL subquery of ids, run inside the statistic's own query: nothing to iterate.
        self._jurisdictions = Subquery(jurisdictions.order_by().values("pk"))

    def cases(self, path=""):
        """Rows whose case (at `path`) belongs to a permitted jurisdiction."""
        return rule_for("cases.Case").in_jurisdictions(self._jurisdictions, path)

    def victims(self, path=""):
        """Rows whose victim (at `path`) belongs to a permitted jurisdiction (a victim can
        belong to two)."""
        return rule_for("victims.Victim").in_jurisdictions(self._jurisdictions, path)

    def __repr__(self):
        return "<AggregateScope>"


def may_aggregate(user, jurisdiction):
    """Whether the user may count every case and victim of `jurisdiction`."""
    return aggregated_jurisdictions(user).filter(pk=jurisdiction.pk).exists()


def aggregate_scope(user, *, jurisdiction=None):
    """The scope a statistic counts in: every jurisdiction the user may aggregate, or the
    one named (PermissionDenied if it is not one of them)."""
    jurisdictions = aggregated_jurisdictions(user)
    if jurisdiction is not None:
        if not may_aggregate(user, jurisdiction):
            raise PermissionDenied(_("You may not compile statistics for %(jurisdiction)s.")
                                   % {"jurisdiction": jurisdiction})
        jurisdictions = jurisdictions.filter(pk=jurisdiction.pk)
    return AggregateScope(jurisdictions)
