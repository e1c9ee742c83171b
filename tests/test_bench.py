"""The benchmark command (`manage.py bench`) runs end to end on the demo world: every page is
measured with status 200 and its queries counted, the sweep, the grants rebuild and the export
are measured, and the results are written where asked."""

import io
import json

from django.core.management import call_command

from benchmarks.bench.pages import PAGES


def test_bench_measures_every_page_on_the_demo_data(db, tmp_path):
    out = io.StringIO()
    call_command("bench", "--repeat", "1", "--no-generate", "--output-dir", str(tmp_path), stdout=out)

    data = json.loads((tmp_path / "latest.json").read_text())
    rows = {(row["name"], row["user"]): row for row in data["pages"]}
    assert set(rows) == {(page.name, page.username) for page in PAGES}
    for page in PAGES:
        row = rows[page.name, page.username]
        assert row["status"] == 200, row
        assert row["queries_p1"] > 0, row
        assert row["median_ms"] > 0, row
        if page.floor is not None:
            assert row["floor_ms"] > 0 and row["floor_rows"] > 0, row
        if page.paged:
            assert row["queries_p50"] > 0, row

    jobs = {row["name"]: row for row in data["jobs"]}
    assert {"sweep: nothing due (quiet moment)", "sweep: everything due now", "sweep: right after a sweep",
            "grants rebuild (all)", "coordination export (xlsx)", "coordination export (csv)"} <= set(jobs)
    for row in jobs.values():
        assert row["status"] == "ok", row
        assert row["seconds"] is not None, row
    assert jobs["coordination export (xlsx)"]["peak_rss_mb"] > 0
    # The sweep records; its own task e-mails what it recorded.
    assert "emailed" not in jobs["sweep: everything due now"]["counts"]
    assert jobs["e-mail of those notifications (its own task)"]["counts"]["emailed"] > 0
    assert data["machine"]["postgresql"] and data["dataset"]["cases"] > 0

    table = (tmp_path / "latest.md").read_text()
    assert "| page | user | median ms | p95 ms | queries p1 | queries p50 |" in table
    assert "prosecutor dashboard" in out.getvalue()
