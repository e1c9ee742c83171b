"""The benchmark behind `manage.py bench` (`./dev bench`, `make bench`).

Server-side and in-process: each page is requested with django.test.Client as a signed-in demo
user (both factors given), with the settings the server runs with (DEBUG off, PostgreSQL's JIT
as configured), and compared with its *SQL floor*, a hand-written query fetching the rows the
page shows to that user without the access-policy machinery. The deadline sweep and the rebuild
of every grant run inside a transaction that is rolled back, and the coordination export runs in
a subprocess whose peak resident memory is read, so the dataset stays as it was.

    measure.py  timing, percentiles, signed-in clients
    pages.py    the pages measured, their users and the objects they open
    floors.py   the SQL floor of each page
    jobs.py     the sweep, the grants rebuild and the export (parent side)
    export_child.py  the export subprocess
    report.py   targets, the markdown table, the JSON file, machine and dataset facts
"""
