"""An HTCDS file read into victim records, all of it or nothing [SPEC 2.3, SPEC 3].

The worker reads the whole file and checks every cell of every row against its column
(fields.py), every row against the same model rules a page applies, and the file against the
database (codes already taken, cases the importer may not link to). One problem anywhere and
nothing is written: the job fails with the list of problems, each naming its row (as a
spreadsheet numbers it, the headers being row 1) and its column. A clean file is written in one
transaction through the same services a page uses, so grants, history and the child priority
follow as if each victim had been recorded by hand; if any write fails, all are rolled back.

Progress counts the rows checked; the writing that follows is one transaction, seen whole.
"""

import csv
import hashlib
import io
import logging
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

import access
from accounts.audit import log_access
from accounts.functions import AgencyKind
from accounts.models import AccessLog
from cases import services as case_services
from cases.models import Case
from victims import services as victim_services
from victims.models import Victim, VictimIdentity
from victims.models import HTCDS_TRAFFICKING_STATUS

from ..exports.storage import upload_path
from ..exports.writers import FORMULA_STARTS
from ..models import ExportJob
from . import fields
from .fields import BY_NAME, TWINS, Invalid

logger = logging.getLogger(__name__)
S = ExportJob.Status
CODE = re.compile(r"^V-[BCDFGHJKLMNPQRSTVWXZ23456789]{8}$")
# How an HTCDS status arrives when the file does not say it exactly: a possible victim has
# indicators and is treated as a victim until decided, which is "presumed" here, so assistance
# does not wait [WG 34, VS 24].
FROM_HTCDS_STATUS = {"PossibleVictimOfTrafficking": Victim.Status.PRESUMED,
                     "ActualVictimOfTrafficking": Victim.Status.IDENTIFIED,
                     "NotAVictimOfTrafficking": Victim.Status.NOT_A_VICTIM}
# Where a model's field error is reported: the column it came from.
COLUMN_OF = {field.target: field.name for field in fields.FIELDS if field.target}
COLUMN_OF.update({("victim", attribute): name for name, (_twin, _vocabulary, attribute) in TWINS.items()})
COLUMN_OF.update({("victim", "languages"): "tip_Languages", ("victim", "code"): "tip_VictimCode",
                  ("victim", "status"): "vic_TraffickingStatus"})


class FileRefused(Exception):
    """The file as a whole cannot be read (not CSV or Excel, no headers, unknown columns)."""


def may_import(user):
    """Who records victims and may see identities: investigators, prosecutors, caseworkers."""
    return access.may_use(user, Victim, "view_identity") and access.may(user, "record_victim")


# --- Reading the file ----------------------------------------------------------------------

def _unquoted(value):
    # The CSV export quotes a cell that starts like a formula (writers.neutralised); undo it.
    if isinstance(value, str) and value.startswith("'") and value[1:2] and value[1] in FORMULA_STARTS:
        return value[1:]
    return value


def read_table(path, format):
    """The file's rows as lists of cells, headers first."""
    if format == ExportJob.Format.XLSX:
        from openpyxl import load_workbook

        try:  # from a stream: openpyxl judges a path by its extension, and ours is .upload
            workbook = load_workbook(io.BytesIO(path.read_bytes()), read_only=True, data_only=True)
        except Exception:
            raise FileRefused(_("The file is not an Excel workbook (.xlsx) that can be read.")) from None
        sheet = workbook["HTCDS"] if "HTCDS" in workbook.sheetnames else workbook.worksheets[0]
        rows = [list(row) for row in sheet.iter_rows(values_only=True)]
        workbook.close()
        return rows
    try:
        with open(path, encoding="utf-8-sig", newline="") as stream:
            return [[_unquoted(cell) for cell in row] for row in csv.reader(stream)]
    except UnicodeDecodeError:
        raise FileRefused(_("The file is not UTF-8 text. Save it as “CSV UTF-8” and upload it again.")) from None
    except csv.Error as error:
        raise FileRefused(_("The file is not a CSV file that can be read (%(error)s).") % {"error": error}) from None


def headers_of(rows):
    if not rows or not any(cell not in (None, "") for cell in rows[0]):
        raise FileRefused(_("The file has no headers: its first row must name the HTCDS fields."))
    headers = [fields.text_of(cell) for cell in rows[0]]
    while headers and not headers[-1]:
        headers.pop()
    unknown = [header for header in headers if header not in BY_NAME]
    if unknown:
        raise FileRefused(_("Row 1: %(columns)s is not an HTCDS 2.0 field this system records, nor one of its own "
                            "(tip_…).") % {"columns": ", ".join(f"“{name[:60]}”" for name in unknown[:5])})
    doubled = sorted({header for header in headers if headers.count(header) > 1})
    if doubled:
        raise FileRefused(_("Row 1: %(columns)s appears more than once.") % {"columns": ", ".join(doubled)})
    if "prs_FirstName" not in headers and "prs_SecondName" not in headers and "tip_VictimCode" not in headers:
        raise FileRefused(_("Row 1: the file needs prs_FirstName, prs_SecondName or tip_VictimCode to tell its "
                            "victims apart."))
    return headers


# --- Checking the rows ---------------------------------------------------------------------

class Row:
    """One row of the file, read and checked; `problems` lists what is wrong with it."""

    def __init__(self, number, cells):
        self.number, self.cells, self.problems = number, cells, []
        self.victim, self.identity, self.links = {}, {}, []
        self.status, self.deciding_organisation = Victim.Status.POTENTIAL, ""

    def problem(self, field, message):
        self.problems.append({"row": self.number, "field": field, "message": str(message)})

    def given(self, name):
        return name in self.cells and self.cells[name] not in ("", [], None)


def _read_cells(row, headers, raw):
    cells = {}
    if any(fields.text_of(cell) for cell in raw[len(headers):]):
        row.problem("", _("the row has more cells than the file has headers"))
    for header, value in zip(headers, raw):
        try:
            cells[header] = fields.read(BY_NAME[header], value)
        except Invalid as invalid:
            row.problem(header, invalid)
    for header in headers[len(raw):]:
        cells[header] = fields.read(BY_NAME[header], None)
    if "tip_CaseLinks" in cells:
        try:
            cells["tip_CaseLinks"] = fields.read_links(cells["tip_CaseLinks"])
        except Invalid as invalid:
            row.problem("tip_CaseLinks", invalid)
            cells["tip_CaseLinks"] = []
    return cells


def _assemble(row, may_write_address):
    """The row's values as the victim record, the identity, the status and the links."""
    cells = row.cells
    for field in fields.FIELDS:
        if field.target is None or field.name not in cells:
            continue
        if field.shelter and row.given(field.name) and not may_write_address:
            row.problem(field.name, _("only a caseworker of the supporting NGO records the address; leave it empty"))
            continue
        record = row.victim if field.target[0] == "victim" else row.identity
        value = cells[field.name]
        if value in ("", None, []):
            continue  # an empty cell leaves the field as a new record has it (gender: not specified)
        record[field.target[1]] = value
    for name, (twin, vocabulary, attribute) in TWINS.items():
        if row.given(twin):
            exact = cells[twin]
            if name in cells and set(fields.as_standard(vocabulary, exact)) != set(cells[name] or ()):
                row.problem(twin, _("does not agree with %(column)s (this system's extensions stand there as Other)")
                            % {"column": name})
            row.victim[attribute] = exact
        elif name in cells:
            row.victim[attribute] = cells[name]
    languages = [cells.get("prs_PrimaryLanguage") or "", cells.get("prs_SecondaryLanguage") or ""]
    if row.given("tip_Languages"):
        exact, given = cells["tip_Languages"], [code for code in languages if code]
        if exact[:len(given)] != given:
            row.problem("tip_Languages", _("does not begin with prs_PrimaryLanguage and prs_SecondaryLanguage"))
        row.victim["languages"] = exact
    elif any(languages):
        if not languages[0]:
            row.problem("prs_PrimaryLanguage", _("is empty although prs_SecondaryLanguage is given"))
        row.victim["languages"] = list(dict.fromkeys(code for code in languages if code))
    standard = cells.get("vic_TraffickingStatus") or ""
    if row.given("tip_TraffickingStatus"):
        row.status = cells["tip_TraffickingStatus"]
        if standard and HTCDS_TRAFFICKING_STATUS[row.status] != standard:
            row.problem("tip_TraffickingStatus", _("does not agree with vic_TraffickingStatus"))
    elif standard:
        row.status = FROM_HTCDS_STATUS[standard]
    row.deciding_organisation = cells.get("vic_TraffickingStatusDecisionMakingOrg") or ""
    code = cells.get("tip_VictimCode") or ""
    if code:
        if not CODE.match(code):
            row.problem("tip_VictimCode", _("is not a victim code of this system (V- and eight letters or digits)"))
        row.victim["code"] = code
    row.links = cells.get("tip_CaseLinks") or []
    if not any(row.given(name) for name in ("prs_FirstName", "prs_SecondName", "tip_VictimCode")):
        row.problem("", _("the row names no victim: give prs_FirstName, prs_SecondName or tip_VictimCode"))


def _model_problems(row, user):
    """What the model's own rules refuse, reported at the column the value came from."""
    victim = Victim(recorded_by=user, recording_agency=user.agency, **row.victim)
    identity = VictimIdentity(**row.identity)
    for kind, record, exclude in (("victim", victim, ["recorded_by", "recording_agency", "code"]),
                                  ("identity", identity, ["victim"])):
        try:
            record.full_clean(exclude=exclude, validate_unique=False)
        except ValidationError as error:
            for attribute, messages in error.message_dict.items():
                for message in messages:
                    row.problem(COLUMN_OF.get((kind, attribute), ""), message)


def check(rows, user, *, progress=lambda done: None):
    """Every row checked: (the cases the importer may link, by reference; the references of
    cases to open; the problems)."""
    may_write_address = access.may_use(user, Victim, "view_shelter")
    for done, row in enumerate(rows, start=1):
        _assemble(row, may_write_address)
        _model_problems(row, user)
        if done % 200 == 0:
            progress(done)
    progress(len(rows))
    codes = {}
    for row in rows:
        code = row.victim.get("code")
        if code:
            if code in codes:
                row.problem("tip_VictimCode", _("is the code of row %(row)d too") % {"row": codes[code]})
            codes.setdefault(code, row.number)
    taken = set(Victim.objects.filter(code__in=list(codes)).values_list("code", flat=True))
    for row in rows:
        if row.victim.get("code") in taken:
            row.problem("tip_VictimCode", _("is already a victim's code in this system: this victim was imported "
                                            "or recorded before"))
    references = {reference for row in rows for reference, _role in row.links}
    linkable = {case.reference: case for case in access.visible(user, Case, "change").filter(reference__in=references)}
    existing = set(Case.objects.filter(reference__in=references).values_list("reference", flat=True))
    may_open = access.may(user, "open_case") and bool(user.agency.jurisdiction_id)
    to_open = sorted(references - existing) if may_open else []
    for row in rows:
        for reference, _role in row.links:
            if reference not in linkable and reference not in to_open:
                row.problem("tip_CaseLinks", _("no case you may link victims to has the reference “%(reference)s”, "
                                               "and you may not open it here") % {"reference": reference[:50]})
    # Row by row, each row's problems in the order of the file's columns.
    order = {field.name: place for place, field in enumerate(fields.FIELDS, start=1)}
    problems = sorted((problem for row in rows for problem in row.problems),
                      key=lambda problem: (problem["row"], order.get(problem["field"], 0)))
    return linkable, to_open, problems


# --- Writing -------------------------------------------------------------------------------

def write(rows, user, linkable, to_open, *, source):
    """Every checked row recorded, in one transaction: the victims made, in row order."""
    today = timezone.localdate()
    supporting = [user.agency] if user.agency.kind == AgencyKind.NGO else []
    authority = _("As recorded in the imported HTCDS file")
    made = []
    with transaction.atomic():
        cases = {**linkable, **{reference: case_services.open_case(
            actor=user, reference=reference, jurisdiction=user.agency.jurisdiction,
            title=_("Opened by an HTCDS import on %(day)s") % {"day": today.isoformat()}) for reference in to_open}}
        for row in rows:
            try:
                victim = victim_services.record_victim(actor=user, identity=row.identity, supporting_agencies=supporting,
                                                       **row.victim)
                criteria = _("Imported from %(source)s, row %(row)d: the decision was taken where the file comes "
                             "from.") % {"source": source, "row": row.number}
                if row.status == Victim.Status.NOT_A_VICTIM:
                    victim_services.decide_not_a_victim(victim, actor=user, authority=authority, reasons=criteria,
                                                        deciding_organisation=row.deciding_organisation)
                elif row.status != Victim.Status.POTENTIAL:
                    victim_services.set_status(victim, row.status, actor=user, authority=authority, criteria=criteria,
                                               deciding_organisation=row.deciding_organisation)
                for reference, role in row.links:
                    victim_services.link_to_case(victim, cases[reference], role)
            except ValidationError as error:
                messages = error.message_dict.items() if hasattr(error, "error_dict") else [("", error.messages)]
                raise Refused([{"row": row.number, "field": COLUMN_OF.get(("victim", name), name if name != "__all__"
                                                                           else ""), "message": message}
                               for name, texts in messages for message in texts]) from None
            made.append(victim)
    return made


class Refused(Exception):
    def __init__(self, problems):
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems


# --- The job -------------------------------------------------------------------------------

def _sha256(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run(job):
    """Import the job's uploaded file (called by reports.exports.jobs.run for a claimed job)."""
    user, path = job.requested_by, upload_path(job)
    jobs = ExportJob.objects.filter(pk=job.pk)
    problems, made, digest = [], [], ""
    try:
        if not may_import(user):
            raise FileRefused(_("You may no longer import victims."))
        if not path.exists():
            raise FileRefused(_("The uploaded file is gone. Upload it again."))
        digest = _sha256(path)
        raw = read_table(path, job.format)
        headers = headers_of(raw)
        # Numbered as a spreadsheet shows them (the headers are row 1); blank rows are skipped.
        numbered = [(number, cells) for number, cells in enumerate(raw[1:], start=2)
                    if any(fields.text_of(cell) for cell in cells)]
        if len(numbered) > settings.HTCDS_IMPORT_MAX_ROWS:
            raise FileRefused(_("The file holds %(rows)d victims; an import takes at most %(most)d. Split the file.")
                              % {"rows": len(numbered), "most": settings.HTCDS_IMPORT_MAX_ROWS})
        jobs.update(rows_total=len(numbered))
        rows = []
        for number, cells in numbered:
            row = Row(number, {})
            row.cells = _read_cells(row, headers, cells)
            rows.append(row)
        linkable, to_open, problems = check(rows, user, progress=lambda done: jobs.update(rows_done=done))
        if not problems:
            made = write(rows, user, linkable, to_open, source=_("an HTCDS file"))
    except FileRefused as refusal:
        problems = [{"row": 1, "field": "", "message": str(refusal)}]
    except Refused as refused:
        problems = refused.problems
    except Exception as error:
        logger.exception("Import %s failed", job.pk)
        problems = [{"row": 0, "field": "", "message": _(
            "The import could not be finished (%(error)s). Nothing was imported; try again, and tell your "
            "administrator if it fails again.") % {"error": type(error).__name__}}]
    finally:
        path.unlink(missing_ok=True)
    now = timezone.now()
    job.finished_at, job.sha256 = now, digest
    if problems:
        rows_refused = len({problem["row"] for problem in problems})
        job.status, job.problems = S.FAILED, problems[:settings.HTCDS_IMPORT_MAX_PROBLEMS]
        job.error = _("The file was refused: %(problems)d problem(s) in %(rows)d row(s). Nothing was imported; "
                      "correct the file and upload it again.") % {"problems": len(problems), "rows": rows_refused}
        job.save(update_fields=["status", "problems", "error", "finished_at", "sha256"])
    else:
        job.status, job.rows_done = S.DONE, len(made)
        job.save(update_fields=["status", "rows_done", "finished_at", "sha256"])
    details = {"report": job.report, "format": job.format, "rows": len(made), "sha256": digest,
               "problems": len(problems), "imported": not problems}
    log_access(user, AccessLog.Action.IMPORT, [job, *made], requested=f"{job.report} {job.format}",
               purpose=str(ExportJob.Report.HTCDS_IMPORT.label), details=details)
    return job
