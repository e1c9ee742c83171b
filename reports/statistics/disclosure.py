"""Disclosure control for published counts: primary and secondary suppression [SPEC 2.8, NA I.B].

    table = CountTable.two_way("Victims by nationality and sex", rows, columns, counts)
    protected = protect(table, k)      -> which cells are suppressed and why
    public(table, k) / classified(table, k)   -> Rendering: text and values to show or export

The rule (tau-argus' threshold rule with protection intervals, Hundepool et al., "Statistical
Disclosure Control", ch. 4), as audited by `audit.py`:

- Primary: a count 1..k-1 reads "<k". A 0 is published: it points at nobody, and suppressing
  zeros would make the "x" mark mean "0 or at least k", which is no interval at all. (A row
  whose persons all fall in one cell still tells something about all of them: group
  disclosure, not handled here.)
- Secondary: cells of at least k, never a total, read "x". Suppressed cells are added until
  (a) for every suppressed cell the values it could take, given every published cell and
  total and only that cells are >= 0, span at least k (max - min >= k); and
  (b) an attacker who also reads the marks (a "<k" cell is 1..k-1, an "x" cell at least k)
  can still put each primary cell anywhere in 1..k-1: the mark is all they learn. Without (b)
  a 1 next to a secondary 5 in a row of total 6 passes (a) yet is worked out exactly.
- Smallest first: for a cell that fails, the candidate rectangles (the cell and three others
  in two rows and two columns, the only way to keep row and column sums) are tried cheapest
  first (sum of the counts newly suppressed), then single cells; afterwards every secondary
  cell, largest first, is given back if the pattern still passes without it. Ties go by
  position, so the same table always gives the same pattern.
- Not publishable: a published total 1..k-1 is itself a small count, and totals are always
  published, so such a table is withheld whole, as is one that no pattern protects. Combine
  small categories (an "other" row) and protect again.
"""

import statistics
from dataclasses import dataclass, field
from functools import cached_property

from .audit import System, components

PUBLISHED, PRIMARY, SECONDARY = "published", "primary", "secondary"
SECONDARY_MARK = "x"
CLASSIFIED_MARKING = "CLASSIFIED – true counts, do not publish"
PUBLIC_MARKING = "Public: small counts suppressed"
# Candidate groups tried with the solver per failing cell before taking the one that helps most.
TRIALS = 20


def primary_mark(k):
    return f"<{k}"


def legend(k):
    return [
        (primary_mark(k), f"from 1 to {k - 1} persons"),
        (SECONDARY_MARK, f"not shown so that a count of fewer than {k} cannot be worked out from the others"),
    ]


def _check_k(k):
    if not isinstance(k, int) or k < 1:
        raise ValueError("k is a whole number of persons, at least 1.")


@dataclass(frozen=True)
class CountTable:
    """Counts of persons (or cases) with their totals. One-way: one column of cells and a total;
    two-way: rows x columns with row totals, column totals and a grand total. Totals are
    worked out from the cells, never given, so they always add up."""

    title: str
    row_labels: tuple
    column_labels: tuple | None  # None: one-way
    counts: tuple  # one-way: (n, ...); two-way: ((n, ...), ...)

    @classmethod
    def one_way(cls, title, labels, counts):
        counts = tuple(counts)
        if len(counts) != len(labels):
            raise ValueError("One count per label.")
        _check_counts(counts)
        return cls(title, tuple(labels), None, counts)

    @classmethod
    def two_way(cls, title, row_labels, column_labels, counts):
        counts = tuple(tuple(row) for row in counts)
        if len(counts) != len(row_labels) or any(len(row) != len(column_labels) for row in counts):
            raise ValueError("One row of counts per row label, one count per column label.")
        _check_counts([n for row in counts for n in row])
        return cls(title, tuple(row_labels), tuple(column_labels), counts)

    @property
    def two_dimensional(self):
        return self.column_labels is not None

    @cached_property
    def cells(self):
        """{(row, column): count}; a one-way table's cells are (row, 0)."""
        if self.two_dimensional:
            return {(i, j): n for i, row in enumerate(self.counts) for j, n in enumerate(row)}
        return {(i, 0): n for i, n in enumerate(self.counts)}

    def groups_of(self, cell):
        """The totals a cell adds up to (the grand total is the sum of the row totals)."""
        return (("row", cell[0]), ("column", cell[1])) if self.two_dimensional else (("total",),)

    @property
    def row_totals(self):
        return tuple(sum(row) for row in self.counts) if self.two_dimensional else ()

    @property
    def column_totals(self):
        return tuple(sum(column) for column in zip(*self.counts)) if self.two_dimensional else ()

    @property
    def total(self):
        return sum(self.cells.values())


def _check_counts(counts):
    if any(not isinstance(n, int) or isinstance(n, bool) or n < 0 for n in counts):
        raise ValueError("Counts are whole numbers, 0 or more.")


@dataclass(frozen=True)
class Protected:
    """A table with its suppression pattern: {cell: PRIMARY or SECONDARY}; `withheld` gives the
    reason when nothing of it may be published."""

    table: CountTable
    k: int
    status: dict = field(default_factory=dict)
    withheld: str = ""

    def status_of(self, cell):
        return self.status.get(cell, PUBLISHED)


class _Pattern:
    """A growing suppression pattern and its audit (see the module's rule)."""

    def __init__(self, table, k):
        self.table, self.k, self.counts = table, k, table.cells
        self.status = {cell: PRIMARY for cell, n in self.counts.items() if 0 < n < k}

    def _systems(self, status):
        systems = {}
        for group in components(status, self.table.groups_of):
            system = System(group, self.table.groups_of, self.counts)
            for cell in group:
                systems[cell] = system
        return systems

    def shortfalls(self, cells, status, systems=None):
        """{cell: how far it is from protected under `status`}: 0 when it passes (a) and (b)."""
        systems = systems or self._systems(status)
        by_system = {}
        for cell in cells:
            by_system.setdefault(id(systems[cell]), (systems[cell], []))[1].append(cell)
        short = {}
        marked = lambda c: (1, self.k - 1) if status[c] == PRIMARY else (self.k, None)  # noqa: E731
        for system, group in by_system.values():
            for cell, (low, high) in system.ranges(group, lambda c: (0, None)).items():
                short[cell] = max(0, self.k - (high - low))
            primaries = [cell for cell in group if status[cell] == PRIMARY and not short[cell]]
            if primaries:
                for cell, (low, high) in system.ranges(primaries, marked).items():
                    short[cell] = (low - 1) + (self.k - 1 - high)
        return short

    def shortfall(self, cell, status):
        return self.shortfalls([cell], status)[cell]

    def exposed(self, status):
        """Whether some row, column or total holds exactly one suppressed cell, which its total
        then gives away: the solver need not be asked."""
        seen = {}
        for cell in status:
            for group in self.table.groups_of(cell):
                seen[group] = seen.get(group, 0) + 1
        return 1 in seen.values()

    def passes(self, status, near=()):
        """Whether every suppressed cell passes; the cells `near` are asked first (a removal
        that fails, fails next to the removed cell)."""
        if self.exposed(status):
            return False
        systems = self._systems(status)
        near = [cell for cell in near if cell in status]
        for cells in (near, sorted(set(status) - set(near))):
            if cells and any(self.shortfalls(cells, status, systems).values()):
                return False
        return True

    def candidates(self, cell):
        """Groups of cells to suppress with `cell`, cheapest first: rectangles, then singles."""
        eligible = lambda c: c in self.status or self.counts[c] >= self.k  # noqa: E731
        groups = []
        if self.table.two_dimensional:
            rows = range(len(self.table.row_labels))
            columns = range(len(self.table.column_labels))
            i, j = cell
            for m in rows:
                for n in columns:
                    if m == i or n == j:
                        continue
                    corners = [(i, n), (m, j), (m, n)]
                    if all(eligible(c) for c in corners):
                        new = tuple(c for c in corners if c not in self.status)
                        if new:
                            groups.append(new)
        singles = [(c,) for c in self.counts if c not in self.status and eligible(c)
                   and set(self.table.groups_of(c)) & set(self.table.groups_of(cell))]
        cost = lambda group: (sum(self.counts[c] for c in group), len(group), group)  # noqa: E731
        return sorted(set(groups), key=cost) + sorted(singles, key=cost)

    def protect_cell(self, cell):
        """Suppress more until `cell` passes; False when no candidate is left."""
        while short := self.shortfall(cell, self.status):
            options = self.candidates(cell)
            if not options:
                return False
            best, best_short = options[0], short
            for group in options[:TRIALS]:
                trial = {**self.status, **{c: SECONDARY for c in group}}
                trial_short = self.shortfall(cell, trial)
                if trial_short < best_short:
                    best, best_short = group, trial_short
                if not trial_short:
                    break
            # When none of them helps alone, the cheapest goes and the cell is asked again:
            # the pattern only grows, so this ends (at worst with no candidate left).
            self.status.update({c: SECONDARY for c in best})
        return True

    def run(self):
        # Adding a suppressed cell only widens every other cell's range (any table that agreed
        # before still agrees with the suppressed cell at its true value), so a cell once
        # protected stays protected while cells are added: each is fixed once, in order.
        done = set()
        while pending := sorted(set(self.status) - done):
            for cell in pending:
                if not self.protect_cell(cell):
                    return False
                done.add(cell)
        for cell in sorted((c for c, s in self.status.items() if s == SECONDARY),
                           key=lambda c: (-self.counts[c], c)):
            trial = {c: s for c, s in self.status.items() if c != cell}
            groups = set(self.table.groups_of(cell))
            near = sorted(c for c in trial if groups & set(self.table.groups_of(c)))
            if self.passes(trial, near):
                self.status = trial
        return True


def protect(table, k):
    """The suppression pattern of `table` for threshold `k` (the module's rule)."""
    _check_k(k)
    totals = list(table.row_totals) + list(table.column_totals) + [table.total]
    if any(0 < n < k for n in totals):
        return Protected(table, k, withheld=f"a total is below {k}: combine categories")
    pattern = _Pattern(table, k)
    if not pattern.run():
        return Protected(table, k, withheld="no suppression pattern protects the small counts: combine categories")
    return Protected(table, k, dict(pattern.status))


@dataclass(frozen=True)
class Shown:
    """One cell as shown: its text, and its value for charts and typed exports (None: not shown)."""

    text: str
    value: int | float | None
    status: str = PUBLISHED


@dataclass(frozen=True)
class Rendering:
    title: str
    marking: str
    legend: list
    row_labels: tuple
    column_labels: tuple | None
    cells: tuple  # rows of Shown; a one-way table's rows have one cell
    row_totals: tuple  # Shown per row (two-way), else ()
    column_totals: tuple
    total: Shown
    publishable: bool = True
    withheld: str = ""


def _render(table, marking, k, shown, publishable, withheld="", hide_totals=False):
    width = len(table.column_labels) if table.two_dimensional else 1
    cells = tuple(tuple(shown((i, j)) for j in range(width)) for i in range(len(table.row_labels)))
    number = lambda n: Shown(str(n), n)  # noqa: E731
    if hide_totals:
        number = lambda n: Shown(SECONDARY_MARK, None, SECONDARY)  # noqa: E731
    return Rendering(
        table.title, marking, legend(k), table.row_labels, table.column_labels, cells,
        tuple(map(number, table.row_totals)), tuple(map(number, table.column_totals)),
        number(table.total), publishable, withheld)


def classified(table, k):
    """The true counts, marked "do not publish"; each cell still says how the public version
    treats it, so whoever checks a release sees what was hidden."""
    protected = protect(table, k)
    shown = lambda cell: Shown(str(table.cells[cell]), table.cells[cell], protected.status_of(cell))  # noqa: E731
    # Never for publication, whatever the public version is; `withheld` says when that is empty.
    return _render(table, CLASSIFIED_MARKING, k, shown, False, protected.withheld)


def public(table, k):
    """The version that may be published: "<k" for a primary cell, "x" for a secondary one;
    a withheld table shows nothing but marks."""
    protected = protect(table, k)

    def shown(cell):
        status = SECONDARY if protected.withheld else protected.status_of(cell)
        if status == PRIMARY:
            return Shown(primary_mark(k), None, PRIMARY)
        if status == SECONDARY:
            return Shown(SECONDARY_MARK, None, SECONDARY)
        return Shown(str(table.cells[cell]), table.cells[cell])

    withheld = protected.withheld
    return _render(table, PUBLIC_MARKING, k, shown, not withheld, withheld, hide_totals=bool(withheld))


def share(part, whole, k, *, part_status=PUBLISHED, digits=1):
    """A percentage part/whole as Shown: "x" when it is over fewer than k persons, or when the
    part is a suppressed count (a share of a published whole gives the part back)."""
    _check_k(k)
    if whole < k or part_status != PUBLISHED or 0 < part < k:
        return Shown(SECONDARY_MARK, None, SECONDARY)
    value = round(100 * part / whole, digits)
    return Shown(f"{value:.{digits}f}%", value)


def median(values, k, *, digits=1):
    """The median of one value per person as Shown: "x" over fewer than k persons (the median of
    three durations is one person's duration)."""
    _check_k(k)
    values = [v for v in values if v is not None]
    if len(values) < k:
        return Shown(SECONDARY_MARK, None, SECONDARY)
    value = round(float(statistics.median(values)), digits)
    return Shown(f"{value:.{digits}f}", value)
