"""What an attacker can work out from a suppression pattern [SPEC 2.8, NA I.B].

Every published cell and every total is an equation; the suppressed cells are the unknowns.
The smallest and largest value a suppressed cell can take over all tables that agree with
what is published are two linear programs, solved by scipy's HiGHS (a proven LP solver rather
than a hand-written one). The constraint matrix of a table's rows and columns is totally
unimodular, so the LP's bounds are whole numbers that some integer table reaches: the
ranges are exact, not approximations.

Unknowns that share no row or column with each other (not even through a chain of other
unknowns) do not constrain each other, so each connected group of them is its own small
system; the grand total is the sum of the row totals and adds nothing.
"""

import numpy as np
from scipy import sparse
from scipy.optimize import linprog


def components(cells, groups_of):
    """The suppressed cells in groups that share a row, column or total, in a stable order."""
    parent = {cell: cell for cell in cells}

    def root(cell):
        while parent[cell] != cell:
            parent[cell] = parent[parent[cell]]
            cell = parent[cell]
        return cell

    first_in = {}
    for cell in sorted(cells):
        for group in groups_of(cell):
            if group in first_in:
                a, b = root(cell), root(first_in[group])
                if a != b:
                    parent[max(a, b)] = min(a, b)
            else:
                first_in[group] = cell
    found = {}
    for cell in sorted(cells):
        found.setdefault(root(cell), []).append(cell)
    return list(found.values())


class System:
    """The equations an attacker has about one connected group of suppressed cells: for each
    row/column/total, the sum of its suppressed cells is its total less its published cells."""

    def __init__(self, cells, groups_of, counts):
        self.cells = list(cells)
        self.index = {cell: n for n, cell in enumerate(self.cells)}
        groups = sorted({group for cell in self.cells for group in groups_of(cell)})
        row_of = {group: n for n, group in enumerate(groups)}
        self.matrix = np.zeros((len(groups), len(self.cells)))
        self.rhs = np.zeros(len(groups))
        for cell in self.cells:
            for group in groups_of(cell):
                self.matrix[row_of[group], self.index[cell]] = 1
                self.rhs[row_of[group]] += counts[cell]

    def ranges(self, targets, bounds):
        """{target: (smallest, largest) value}; `bounds` maps a cell to (low, high or None).

        One LP holds a copy of the system per target, each copy's objective its own target:
        the copies share no variable, so the joint optimum is every copy at its own optimum,
        and two solver calls answer for all targets (a call costs more than its solve)."""
        targets = list(targets)
        size, copies = len(self.cells), len(targets)
        matrix = sparse.kron(sparse.identity(copies, format="csr"), sparse.csr_matrix(self.matrix), format="csr")
        rhs = np.tile(self.rhs, copies)
        limits = [bounds(cell) for cell in self.cells] * copies
        objective = np.zeros(size * copies)
        at = [n * size + self.index[target] for n, target in enumerate(targets)]
        objective[at] = 1
        ends = []
        for sign in (1, -1):
            result = linprog(sign * objective, A_eq=matrix, b_eq=rhs, bounds=limits, method="highs")
            if result.status != 0:
                # The true table satisfies every equation and every cell is capped by a total
                # of cells >= 0, so this is a solver failure.
                raise RuntimeError(f"linprog failed on a feasible table: {result.message}")
            ends.append(np.rint(result.x[at]).astype(int))
        return {target: (int(low), int(high)) for target, low, high in zip(targets, *ends)}
