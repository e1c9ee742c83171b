"""Disclosure control [SPEC 2.8, NA I.B]: every public table is attacked the way an outsider
would, with an LP solver over what it publishes, on hand-made traps and random tables.

The attack below is written apart from reports/statistics/audit.py: it reads only the public
rendering (text marks, published numbers, totals), sets up every row, column and grand total
as an equation over the suppressed cells, and asks scipy's linprog for each one's smallest and
largest value. No database is used.
"""

import random

import numpy as np
import pytest
from django.conf import settings
from hypothesis import HealthCheck, given, settings as hypothesis_settings, strategies as st
from scipy.optimize import linprog

from reports.statistics.disclosure import (
    CLASSIFIED_MARKING, PRIMARY, PUBLISHED, SECONDARY, SECONDARY_MARK, CountTable, classified, legend,
    median, protect, public, share,
)


def two_way(counts):
    return CountTable.two_way("t", [f"r{i}" for i in range(len(counts))],
                              [f"c{j}" for j in range(len(counts[0]))], counts)


def one_way(counts):
    return CountTable.one_way("t", [f"r{i}" for i in range(len(counts))], counts)


def attack(rendering, k, read_marks=False):
    """{(row, column): (smallest, largest)} for every suppressed cell of a public rendering.
    With `read_marks` the attacker also knows "<k" means 1..k-1 and "x" at least k."""
    cells = {(i, j): shown for i, row in enumerate(rendering.cells) for j, shown in enumerate(row)}
    unknown = sorted(cell for cell, shown in cells.items() if shown.value is None)
    if not unknown:
        return {}
    equations = []  # (cells in it, its published total)
    equations.append((list(cells), int(rendering.total.text)))
    for i, total in enumerate(rendering.row_totals):
        equations.append(([c for c in cells if c[0] == i], int(total.text)))
    for j, total in enumerate(rendering.column_totals):
        equations.append(([c for c in cells if c[1] == j], int(total.text)))
    matrix, rhs = [], []
    for members, total in equations:
        matrix.append([1 if cell in members else 0 for cell in unknown])
        rhs.append(total - sum(cells[c].value for c in members if cells[c].value is not None))
    bounds = [(0, None)] * len(unknown)
    if read_marks:
        bounds = [(1, k - 1) if cells[c].text == f"<{k}" else (k, None) for c in unknown]
    ranges = {}
    for n, cell in enumerate(unknown):
        objective = np.zeros(len(unknown))
        objective[n] = 1
        low = linprog(objective, A_eq=matrix, b_eq=rhs, bounds=bounds, method="highs")
        high = linprog(-objective, A_eq=matrix, b_eq=rhs, bounds=bounds, method="highs")
        assert low.status == 0 and high.status == 0, (low.message, high.message)
        ranges[cell] = (round(low.fun), round(-high.fun))
    return ranges


def assert_protected(table, k):
    """Nothing 1..k-1 readable; every suppressed cell at least k wide; a primary cell anywhere
    in 1..k-1 even to an attacker who reads the marks."""
    rendering = public(table, k)
    shown = [c for row in rendering.cells for c in row] + list(rendering.row_totals) + \
        list(rendering.column_totals) + [rendering.total]
    assert not any(c.value is not None and 0 < c.value < k for c in shown)
    if not rendering.publishable:
        assert all(c.value is None for c in shown)
        return rendering
    for cell, (low, high) in attack(rendering, k).items():
        assert high - low >= k, (cell, low, high)
    for cell, (low, high) in attack(rendering, k, read_marks=True).items():
        if rendering.cells[cell[0]][cell[1]].status == PRIMARY:
            assert (low, high) == (1, k - 1), (cell, low, high)
    return rendering


def suppressed(table, k):
    return {cell: status for cell, status in protect(table, k).status.items()}


# Hand-made tables, the classic traps.

def test_no_small_cell_loses_nothing():
    table = two_way([[10, 20, 30], [15, 40, 25], [12, 18, 50]])
    assert suppressed(table, 5) == {}
    assert [[c.text for c in row] for row in public(table, 5).cells] == [
        ["10", "20", "30"], ["15", "40", "25"], ["12", "18", "50"]]


def test_single_small_cell_takes_the_cheapest_rectangle():
    # Another cell of row 0 and one of column 0 must go, and then one closing the rectangle;
    # 20 + 12 + 18 = 50 is the least that can be given up (15 + 20 + 40 = 75, 30 + 12 + 50...).
    table = two_way([[3, 20, 30], [15, 40, 25], [12, 18, 50]])
    assert suppressed(table, 5) == {(0, 0): PRIMARY, (0, 1): SECONDARY, (2, 0): SECONDARY, (2, 1): SECONDARY}
    rendering = assert_protected(table, 5)
    assert [[c.text for c in row] for row in rendering.cells] == [
        ["<5", "x", "30"], ["15", "40", "25"], ["x", "x", "50"]]
    assert attack(rendering, 5)[(0, 0)] == (0, 15)  # 3 + min(20, 12)


def test_every_secondary_cell_is_needed():
    """Local minimality: giving back any one secondary cell fails the attack."""
    for counts in ([[3, 20, 30], [15, 40, 25], [12, 18, 50]],
                   [[2, 3, 20, 7], [4, 30, 25, 6], [18, 22, 40, 9], [11, 8, 5, 60]]):
        table = two_way(counts)
        pattern = protect(table, 5).status
        for cell in [c for c, s in pattern.items() if s == SECONDARY]:
            rendering = public(table, 5)
            row = list(rendering.cells[cell[0]])
            row[cell[1]] = type(row[cell[1]])(str(table.cells[cell]), table.cells[cell])
            cells = list(rendering.cells)
            cells[cell[0]] = tuple(row)
            weaker = type(rendering)(**{**rendering.__dict__, "cells": tuple(cells)})
            ranges = attack(weaker, 5)
            marked = attack(weaker, 5, read_marks=True)
            assert any(high - low < 5 for low, high in ranges.values()) or any(
                marked[c] != (1, 4) for c, s in pattern.items() if s == PRIMARY), cell


def test_two_small_cells_in_the_same_row_and_column():
    table = two_way([[2, 3, 20], [4, 30, 25], [18, 22, 40]])
    rendering = assert_protected(table, 5)
    status = suppressed(table, 5)
    assert {c for c, s in status.items() if s == PRIMARY} == {(0, 0), (0, 1), (1, 0)}
    assert rendering.publishable


def test_small_cells_that_pass_the_width_rule_but_not_the_marks():
    # Suppressing all four cells leaves each range 21 wide, yet an attacker who knows the "<5"
    # cell (1, 1) is at most 4 finds (0, 0) in 3..4: no 2 x 2 pattern protects it.
    table = two_way([[4, 20], [30, 1]])
    assert protect(table, 5).withheld
    # With room to move, the engine finds cells that hide it from both attackers.
    table = two_way([[4, 20, 30], [30, 1, 25], [15, 18, 40]])
    assert assert_protected(table, 5).publishable


def test_a_total_below_k_withholds_the_table():
    table = two_way([[2, 1, 0], [15, 40, 25], [12, 18, 50]])  # row 0's total is 3
    protected = protect(table, 5)
    assert protected.withheld and not protected.status
    rendering = assert_protected(table, 5)
    assert not rendering.publishable and rendering.withheld
    assert {c.text for row in rendering.cells for c in row} == {SECONDARY_MARK}
    assert rendering.total.text == SECONDARY_MARK
    secret = classified(table, 5)
    assert secret.withheld and secret.cells[0][0].text == "2" and secret.row_totals[0].text == "3"
    # A total of nobody is no small count.
    assert public(two_way([[0, 0], [0, 0]]), 5).publishable


def test_many_zeros_stay_published():
    table = two_way([[0, 0, 3, 10, 0], [0, 0, 0, 7, 6], [5, 0, 0, 9, 12], [0, 8, 2, 0, 30], [6, 0, 0, 11, 0]])
    rendering = assert_protected(table, 5)
    if rendering.publishable:
        assert all(c.text == "0" for i, row in enumerate(rendering.cells) for j, c in enumerate(row)
                   if table.cells[(i, j)] == 0)


def test_one_way_tables():
    table = one_way([3, 10, 7, 30])
    assert suppressed(table, 5) == {(0, 0): PRIMARY, (2, 0): SECONDARY}
    rendering = assert_protected(table, 5)
    assert [row[0].text for row in rendering.cells] == ["<5", "10", "x", "30"]
    assert rendering.total.text == "50" and rendering.row_totals == ()
    assert assert_protected(one_way([1, 2, 40, 9]), 5).publishable
    # 3 and 5 of 8: "x" says the 5 is at least 5, so the "<5" would be at most 3.
    assert not public(one_way([3, 5]), 5).publishable
    assert suppressed(one_way([0, 12, 9]), 5) == {}


def test_deterministic():
    table = two_way([[2, 3, 20, 7], [4, 30, 25, 6], [18, 22, 40, 9], [11, 8, 5, 60]])
    assert protect(table, 5) == protect(table, 5)


def test_classified_and_public():
    table = two_way([[3, 20, 30], [15, 40, 25], [12, 18, 50]])
    secret, open_ = classified(table, 5), public(table, 5)
    assert "do not publish" in secret.marking and secret.marking == CLASSIFIED_MARKING
    assert "do not publish" not in open_.marking
    assert open_.publishable and not secret.publishable
    assert secret.cells[0][0].text == "3" and secret.cells[0][0].status == PRIMARY
    assert secret.cells[0][1].text == "20" and secret.cells[0][1].status == SECONDARY
    assert open_.cells[0][0].text == "<5" and open_.cells[0][0].value is None  # charts draw nothing
    assert open_.cells[0][1].text == "x" and open_.cells[1][1].value == 40
    assert [t.text for t in open_.row_totals] == [t.text for t in secret.row_totals] == ["53", "80", "80"]
    assert [mark for mark, _ in legend(5)] == ["<5", "x"]
    assert public(table, 3).cells[0][0].text == "3"  # k = 3: a 3 is not small


def test_k_is_a_setting():
    assert settings.STATISTICS_K == 5


def test_shares_and_medians_over_few_persons():
    assert share(2, 4, 5).text == "x"  # over 4 persons
    assert share(3, 40, 5).text == "x"  # 3 of 40 gives the 3 back
    assert share(20, 40, 5, part_status=SECONDARY).value is None
    assert share(10, 40, 5).text == "25.0%" and share(0, 40, 5).value == 0
    assert median([3, 8, 1, 9], 5).value is None
    assert median([3, 8, None, 1, 9], 5).value is None  # a missing duration is no person
    assert median([3, 8, 1, 9, 20], 5).text == "8.0"


def test_bad_input():
    with pytest.raises(ValueError):
        two_way([[1, -1]])
    with pytest.raises(ValueError):
        protect(two_way([[1, 2]]), 0)


def test_a_national_size_table():
    """30 x 12 (nationalities x forms of exploitation), a quarter of the cells small: a few
    seconds on one core."""
    draw = random.Random(0)
    table = two_way([[int(draw.lognormvariate(2.5, 1.2)) for _ in range(12)] for _ in range(30)])
    rendering = assert_protected(table, 5)
    assert rendering.publishable
    assert sum(c.status == SECONDARY for row in rendering.cells for c in row) < 20


# Random tables: shapes up to 8 x 6, counts skewed towards the small ones.

counts = st.one_of(st.just(0), st.integers(1, 4), st.integers(1, 4), st.integers(5, 15), st.integers(5, 80))


@st.composite
def tables(draw):
    rows = draw(st.integers(1, 8))
    if draw(st.booleans()) and rows > 1:
        return one_way(draw(st.lists(counts, min_size=rows, max_size=rows)))
    columns = draw(st.integers(2, 6))
    rows = max(rows, 2)
    return two_way(draw(st.lists(st.lists(counts, min_size=columns, max_size=columns),
                                 min_size=rows, max_size=rows)))


@hypothesis_settings(max_examples=80, deadline=5000, suppress_health_check=[HealthCheck.too_slow])
@given(tables(), st.sampled_from([3, 5]))
def test_random_tables_resist_the_attack(table, k):
    rendering = assert_protected(table, k)
    truth = classified(table, k)
    for row, secret in zip(rendering.cells, truth.cells):
        for shown, true in zip(row, secret):
            assert shown.status == (true.status if rendering.publishable else SECONDARY)
            if shown.status == PUBLISHED:
                assert shown.value == true.value
