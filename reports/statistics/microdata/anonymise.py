"""k-anonymity for a microdata release: global generalisation, then local suppression
[SPEC 2.8]. Pure: records come in as values and go out as values, nothing touches the database.

Each record gives, for every quasi-identifier, its ladder: the value at each rung, most
detailed first, the last the coarsest (usually "unknown"). A quasi-identifier's steps go up
its ladder in halves: first only the *rare* values of a rung (held by fewer than k records of
the whole release) move one rung up, then every value does. So citizenship goes
country -> rare countries to their region -> every country to its region -> rare regions to
unknown -> unknown.

    result = anonymise(records=records, k=5, ladders=LADDERS)
    result.released   -> [(record index, {name: released value})], in input order
    result.suppressed -> indices of the records left out

The rule (a greedy full-domain generalisation in the manner of Sweeney's Datafly, with the
"rare values first" half-steps of mu-Argus' local recoding, Hundepool et al., "Statistical
Disclosure Control", ch. 3):

1. Records at risk: those whose combination of released quasi-identifier values is shared by
   fewer than k records.
2. While more records are at risk than may be suppressed (k-1, as Datafly allows, or
   `max_suppressed`, a share of the records in, if more), try every further step of each
   quasi-identifier's ladder and take the one that leaves the fewest at risk; ties go to the
   shorter climb, then to the ladder named first. A climb that saves no record is not taken,
   and the rule stops when none does. Steps apply to every record alike.
3. Records still at risk are suppressed: left out of the release whole.

The same records always give the same release: nothing depends on order or chance.
"""

from collections import Counter
from dataclasses import dataclass


@dataclass(frozen=True)
class Ladder:
    """A quasi-identifier's generalisation ladder: its `rungs` name each rung above the first
    (what a value becomes there); `last_step` caps the steps (None: to the top, every value)."""

    name: str
    rungs: tuple
    last_step: int | None = None

    @property
    def steps(self):
        """How many steps the ladder has: two per rung (the rare values, then all)."""
        return 2 * len(self.rungs) if self.last_step is None else self.last_step

    def describe(self, step):
        """What `step` steps up this ladder amount to, in words: the last rung every value
        reached, and the one the rare values went on to."""
        full, lifted = divmod(step, 2)
        parts = [f"{self.name}: every value to {self.rungs[full - 1]}"] if full else []
        if lifted:
            parts.append(f"{self.name}: rare values to {self.rungs[full]}")
        return parts


@dataclass(frozen=True)
class Anonymised:
    k: int
    steps: dict  # {ladder name: steps taken}
    applied: tuple  # what was done, in words, in ladder order
    released: list  # [(index, {name: value})]
    suppressed: tuple  # indices
    generalised: int  # released records with some value other than their most detailed one


def _values(records, ladders, steps, k, rare):
    """Every record's released values at `steps` (a tuple, one per ladder)."""
    values = []
    for record in records:
        row = []
        for ladder, step in zip(ladders, steps):
            chain = record[ladder.name]
            rung, lifted = divmod(step, 2)
            value = chain[rung]
            if lifted and rare[ladder.name][rung][value] < k:
                value = chain[rung + 1]
            row.append(value)
        values.append(tuple(row))
    return values


def _at_risk(values, k):
    sizes = Counter(values)
    return [i for i, key in enumerate(values) if sizes[key] < k]


def anonymise(*, records, k, ladders, max_suppressed=0.05):
    """k-anonymise `records` (each {ladder name: (value at rung 0, rung 1, ...)}) over the
    ladders' quasi-identifiers by the rule above. `max_suppressed` is the share of records that
    may be suppressed before generalising further is worth it."""
    if not isinstance(k, int) or isinstance(k, bool) or k < 1:
        raise ValueError("k is a whole number of records, at least 1.")
    records = list(records)
    for record in records:
        for ladder in ladders:
            if len(record[ladder.name]) != len(ladder.rungs) + 1:
                raise ValueError(f"{ladder.name}: one value per rung.")
    # How many records hold each value on each rung, over the whole release.
    rare = {ladder.name: [Counter(record[ladder.name][rung] for record in records)
                          for rung in range(len(ladder.rungs) + 1)] for ladder in ladders}
    # Datafly's stopping rule: fewer than k records left standing out are suppressed rather
    # than generalising the whole release for them; so are up to `max_suppressed` of a large one.
    limit = max(k - 1, int(max_suppressed * len(records)))
    steps = tuple(0 for _ in ladders)
    risk = _at_risk(_values(records, ladders, steps, k, rare), k)
    while len(risk) > limit:
        best = None
        for position, ladder in enumerate(ladders):
            for jump in range(1, ladder.steps - steps[position] + 1):
                candidate = steps[:position] + (steps[position] + jump,) + steps[position + 1:]
                at_risk = _at_risk(_values(records, ladders, candidate, k, rare), k)
                if best is None or (len(at_risk), jump) < (len(best[1]), best[2]):
                    best = (candidate, at_risk, jump)
        if best is None or len(best[1]) >= len(risk):
            break
        steps, risk = best[:2]
    values = _values(records, ladders, steps, k, rare)
    suppressed = set(risk)
    released, generalised = [], 0
    for index, (record, row) in enumerate(zip(records, values)):
        if index in suppressed:
            continue
        released.append((index, {ladder.name: value for ladder, value in zip(ladders, row)}))
        generalised += any(value != record[ladder.name][0] for ladder, value in zip(ladders, row))
    applied = tuple(part for ladder, step in zip(ladders, steps) for part in ladder.describe(step))
    return Anonymised(k=k, steps={ladder.name: step for ladder, step in zip(ladders, steps)}, applied=applied,
                      released=released, suppressed=tuple(sorted(suppressed)), generalised=generalised)


def is_k_anonymous(*, rows, k):
    """Whether every combination of values in `rows` (tuples) occurs at least k times."""
    return all(n >= k for n in Counter(rows).values())
