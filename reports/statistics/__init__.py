"""Statistics for national reporting, and for publication counts that cannot be worked back to
a person [SPEC 2.8, NA I.B, NA III.C.1].

`indicators/` counts (every case and victim of the jurisdictions the access policy's aggregate
right gives, only numbers out); `disclosure.py` protects the tables before anyone sees them;
`publish.py` lays them out with their charts for the page, `exports.py` as files; `microdata/`
is the anonymised, k-anonymous release of one row per victim.

Small counts are suppressed in every aggregate table, and every output exists twice: a
classified version with the true counts, marked "do not publish", and a public one
(`disclosure.py`). The rule in short:

- primary: a count from 1 to k-1 reads "<k" (k is `settings.STATISTICS_K`, 5 by default);
  0 is published, a count of nobody points at nobody;
- secondary: further cells (never a total, never a zero) read "x", the smallest that protect,
  until an attacker who solves the linear system of published cells and totals (all cells
  >= 0) finds every suppressed cell anywhere in a range at least k wide, and one who also
  reads the marks ("<k" is 1..k-1, "x" is at least k) still finds a primary cell anywhere in
  1..k-1. Each pattern is audited with scipy's LP solver (`audit.py`);
- a table whose published total is itself 1..k-1, or that no pattern protects, is withheld:
  combine categories and ask again;
- shares and medians over fewer than k persons, or that would give a suppressed count back,
  read "x".

Nothing here touches the database: tables come in as counts and go out as text and values.
"""
