"""National statistics: the indicators of SPEC 2.8 [NA III.C.1, PR 1.2.4, VS 18(d), VS 18(e)].

    scope = policy.aggregate_scope(user, jurisdiction=j)      # the aggregate right: conditions only
    indicators.compute("victims_assisted", scope=scope, period=Period(date_from, date_to),
                       by=("sex", "exploitation_form"))
        -> {"persons": Tally(total, rows, columns, cells)}

INDICATORS is the registry: each Indicator has a key, label, unit (persons, cases, amount,
days), the SPEC paragraphs it answers, its definition (what it counts and which date places
it in the period) and the dimensions its counts break down by. Each is a constant number of
SQL aggregate queries whatever the data size, and returns numbers only, never a row.
"""

# Each module declares its indicators; the registry keeps this order.
from . import victims  # noqa: F401, I001
from . import proceedings  # noqa: F401
from . import durations  # noqa: F401
from .base import AMOUNT, CASES, DAYS, PERSONS, REGISTRY, Indicator, Period  # noqa: F401
from .tally import NONE, Tally  # noqa: F401

INDICATORS = tuple(REGISTRY)
BY_KEY = {indicator.key: indicator for indicator in INDICATORS}


def get(key):
    return BY_KEY[key]


def compute(key, *, scope, period, by=()):
    """The numbers of the indicator `key` (see Indicator.compute)."""
    return BY_KEY[key].compute(scope=scope, period=period, by=by)
