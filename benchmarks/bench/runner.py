"""Running the benchmark: each page measured on its own (one that fails is reported and the next
goes on), then the sweep, the grants rebuild and the exports."""

import traceback
from contextlib import nullcontext

from django.db import connection, transaction

from . import jobs
from .measure import count_queries, get, shape_difference, summary, timed, with_page
from .pages import PAGES, Context, NotAvailable


class PageFailed(Exception):
    def __init__(self, message, status):
        super().__init__(message)
        self.status = status


def _answer(client, url):
    response = get(client, url)
    if response.status_code != 200:
        where = f" to {response['Location']}" if response.has_header("Location") else ""
        raise PageFailed(f"GET {url} answered {response.status_code}{where}", response.status_code)
    return response


def _measure(page, ctx, repeat, row):
    client = ctx.client(page.username)
    base = page.url(ctx)
    p50 = ctx.p50(page.username, base) if page.paged else None
    shown = 1 if page.page == 1 else (p50 or page.page)
    url = base if shown == 1 else with_page(base, shown)
    row["url"] = url
    samples = timed(lambda: _answer(client, url), repeat, warmup=1)
    row.update(summary(samples))
    row["status"] = 200
    row["queries_p1"], first = count_queries(lambda: _answer(client, base))
    timed_queries = first
    if page.paged:
        row["p50_page"] = p50
        row["queries_p50"], later = count_queries(lambda: _answer(client, with_page(base, p50)))
        if row["queries_p50"] != row["queries_p1"]:
            row["p1_minus_p50"] = shape_difference(first, later)
        if shown != 1:
            timed_queries = later
    # Of one request to the page timed: time in SQL, and its slowest statement.
    seconds = [float(query["time"]) for query in timed_queries]
    row["sql_ms"], row["slowest_query_ms"] = round(sum(seconds) * 1000, 2), round(max(seconds, default=0) * 1000, 2)
    notes = [f"SQL {row['sql_ms']:.0f} ms of it (slowest {row['slowest_query_ms']:.0f})"]
    if page.paged and p50 != 50:
        notes.append("list shorter than 50 pages: last page")
    if row.get("p1_minus_p50"):
        notes.append(f"page 1 has {row['p1_minus_p50']}")
    row["note"] = "; ".join(notes)
    if page.floor is None:
        row["note"] += "; no SQL floor written"
        return
    floor = page.floor(ctx, shown)
    floor_samples = timed(floor, repeat, warmup=1)
    row["floor_rows"] = floor()
    row["floor_statements"] = len(floor.statements)
    row["floor_ms"] = summary(floor_samples)["median_ms"]
    row["ratio"] = round(row["median_ms"] / row["floor_ms"], 2) if row["floor_ms"] else None
    notes.append(f"floor: {row['floor_rows']} rows in {len(floor.statements)} statements"
                 + (f", {floor.note}" if floor.note else ""))
    if page.paged and base.startswith("/api/"):
        # The API says how many rows the list holds: the floor must find as many.
        row["list_count"], row["floor_count"] = _answer(client, base).json().get("count"), floor.count()
        if row["list_count"] != row["floor_count"]:
            notes.append(f"the API counts {row['list_count']}, the floor {row['floor_count']}")
    row["note"] = "; ".join(notes)


def measure_page(page, ctx, repeat, out):
    row = {"kind": "page", "name": page.name, "user": page.username, "status": None, "url": None,
           "queries_p1": None, "queries_p50": None, "p50_page": None, "floor_ms": None, "ratio": None,
           "paged": page.paged, "note": "", "error": None}
    # Inside a transaction already (the test), a failing page must not abort it for the next.
    guard = transaction.atomic if connection.in_atomic_block else nullcontext
    try:
        with guard():
            _measure(page, ctx, repeat, row)
    except NotAvailable as reason:
        row["status"], row["note"] = "n/a", str(reason)
    except Exception as error:
        row["status"] = getattr(error, "status", "error")
        row["error"] = f"{type(error).__name__}: {error}"
        out.write(f"    FAILED: {row['error']}\n")
        if not isinstance(error, PageFailed):
            out.write(traceback.format_exc() + "\n")
    return row


def selected(name, user, only):
    label = f"{name} {user or ''}".lower()
    return not only or any(word.lower() in label for word in only)


def run(*, repeat, only=(), skip_pages=False, skip_sweep=False, skip_grants=False, skip_export=False,
        export_formats=("xlsx",), out):
    pages, done_jobs = [], []
    if not skip_pages:
        ctx = Context()
        try:
            for page in PAGES:
                if not selected(page.name, page.username, only):
                    continue
                out.write(f"  {page.name} ({page.username})\n")
                row = measure_page(page, ctx, repeat, out)
                if row["status"] == 200:
                    out.write(f"    median {row['median_ms']} ms, p95 {row['p95_ms']} ms, "
                              f"{row['queries_p1']} queries, floor {row['floor_ms']} ms\n")
                elif row["status"] == "n/a":
                    out.write(f"    n/a: {row['note']}\n")
                pages.append(row)
        finally:
            ctx.sign_out()
    if not skip_sweep and selected("sweep", None, only):
        done_jobs += jobs.sweeps(out)
    if not skip_grants and selected("grants rebuild", None, only):
        out.write("  grants rebuild\n")
        done_jobs.append(jobs.grants(out))
    if not skip_export:
        for fmt in export_formats:
            if selected(f"coordination export ({fmt})", "focalpoint", only):
                out.write(f"  coordination export ({fmt}) in a subprocess\n")
                done_jobs.append(jobs.export(out, fmt))
    return pages, done_jobs
