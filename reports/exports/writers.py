"""Writing a report (reports/tables.py) to a file: CSV (one file per table, zipped), Excel (one
sheet per table) and PDF. Rows stream from the tables' server-side cursors into the file, so
memory stays bounded whatever the row count; `progress(rows_written)` is called per chunk."""

import csv
import datetime
import io
import itertools
import zipfile
from pathlib import Path

from django.utils import timezone
from django.utils.translation import gettext as _

from ..tables import BOOL, DATE, DATETIME, INT, NUMBER, cell_text

CHUNK = 2000
PDF_ROWS = 1000
FONTS = Path(__file__).resolve().parent.parent / "fonts"
# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralised(text):
    """A text cell no spreadsheet will run: a leading formula character is quoted."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _about(report, rows):
    """The lines that head every file: what it is, its classification, its filters, who and when."""
    lines = [report.title, f"{_('Classification')}: {report.classification}"]
    lines += [f"{label}: {value}" for label, value in report.filters]
    lines += [f"{_('Exported by')}: {report.generated_by}",
              f"{_('Exported at')}: {timezone.localtime(report.generated_at):%Y-%m-%d %H:%M %Z}",
              f"{_('Rows')}: {rows}"]
    return lines


class _Counter:
    def __init__(self, progress):
        self.done, self.progress = 0, progress

    def add(self, n=1):
        self.done += n
        if self.done % CHUNK == 0:
            self.progress(self.done)

    def finish(self):
        self.progress(self.done)
        return self.done


def _write_table(stream, table, counter):
    writer = csv.writer(stream)
    writer.writerow([neutralised(str(column.label)) for column in table.columns])
    for cells, _links in table.rows(chunk_size=CHUNK):
        writer.writerow([neutralised(value) if isinstance(value, str) else cell_text(value) for value in cells])
        counter.add()


def write_csv(report, path, progress, total):
    counter = _Counter(progress)
    if report.interchange:
        # One plain table, headers in row 1, as another system's importer expects it.
        (table,) = report.tables
        with open(path, "w", encoding="utf-8-sig", newline="") as stream:
            _write_table(stream, table, counter)
        return counter.finish()
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("00-about.txt", "\r\n".join(_about(report, total)) + "\r\n")
        for number, table in enumerate(report.tables, start=1):
            with archive.open(f"{number:02d}-{table.key}.csv", "w") as raw:
                # UTF-8 with a byte-order mark: Excel then reads accents right.
                text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
                _write_table(text, table, counter)
                text.flush()
                text.detach()
    return counter.finish()


def _sheet_name(table):
    return table.key[:31]


def write_xlsx(report, path, progress, total):
    import xlsxwriter

    counter = _Counter(progress)
    # constant_memory: each row goes to a temporary file as soon as the next one starts.
    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_formulas": False,
                                               "strings_to_urls": False, "strings_to_numbers": False})
    bold = workbook.add_format({"bold": True, "bg_color": "#E8EEF4", "border": 1, "text_wrap": True})
    date = workbook.add_format({"num_format": "yyyy-mm-dd"})
    stamp = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    decimal = workbook.add_format({"num_format": "0.0"})
    def write_about():
        about = workbook.add_worksheet(_("About")[:31])
        about.set_column(0, 0, 90)
        for row, line in enumerate(_about(report, total)):
            about.write_string(row, 0, line, bold if row < 2 else None)

    if not report.interchange:  # an interchange file's first sheet is its table
        write_about()
    widths = {BOOL: 10, INT: 10, NUMBER: 12, DATE: 12, DATETIME: 17}
    for table in report.tables:
        sheet = workbook.add_worksheet(_sheet_name(table))
        for col, column in enumerate(table.columns):
            sheet.set_column(col, col, widths.get(column.kind, 28))
            sheet.write_string(0, col, str(column.label), bold)
        sheet.freeze_panes(1, 0)
        row = 0
        for cells, _links in table.rows(chunk_size=CHUNK):
            row += 1
            for col, value in enumerate(cells):
                if value is None or value == "":
                    continue
                if isinstance(value, datetime.datetime):
                    sheet.write_datetime(row, col, value, stamp)
                elif isinstance(value, datetime.date):
                    sheet.write_datetime(row, col, datetime.datetime.combine(value, datetime.time()), date)
                elif isinstance(value, (int, float)):
                    sheet.write_number(row, col, value, decimal if isinstance(value, float) else None)
                else:
                    sheet.write_string(row, col, value)
            counter.add()
        sheet.autofilter(0, 0, max(row, 1), len(table.columns) - 1)
    if report.interchange:
        write_about()
    workbook.close()
    return counter.finish()


def _column_widths(pdf, columns, weights):
    """Each column's width in mm, shared out by the weight of its kind, but never narrower than
    the longest word of its heading: a heading is wrapped between words, not inside one."""
    pdf.set_font("DejaVu", "B", 7)  # fpdf2 sets headings in bold
    least = [max(pdf.get_string_width(word) for word in str(column.label).split() or [""]) + 2 * pdf.c_margin + 1
             for column in columns]
    pdf.set_font("DejaVu", size=7)
    wanted = [weights.get(column.kind, 2.0) for column in columns]
    fixed = {}
    while True:
        free = [i for i in range(len(columns)) if i not in fixed]
        if not free:
            break
        scale = (pdf.epw - sum(fixed.values())) / sum(wanted[i] for i in free)
        short = [i for i in free if wanted[i] * scale < least[i]]
        if not short:
            break
        fixed.update({i: least[i] for i in short})
    return [fixed[i] if i in fixed else wanted[i] * scale for i in range(len(columns))]


def write_pdf(report, path, progress, total):
    from fpdf import FPDF
    from fpdf.enums import TableHeadingsDisplay

    counter = _Counter(progress)

    class Document(FPDF):
        def footer(self):
            self.set_y(-10)
            self.set_font("DejaVu", size=7)
            self.cell(0, 5, report.classification, align="L")
            self.set_x(self.l_margin)
            self.cell(0, 5, _("Page %(page)s of %(pages)s") % {"page": self.page_no(), "pages": "{nb}"}, align="R")

        def header(self):
            if self.page_no() > 1:
                self.set_font("DejaVu", size=7)
                self.cell(0, 5, f"{report.title} · {report.classification}", align="L",
                          new_x="LMARGIN", new_y="NEXT")
                self.ln(1)

    pdf = Document(orientation="L", format="A4")
    pdf.set_auto_page_break(True, margin=14)
    pdf.add_font("DejaVu", "", str(FONTS / "DejaVuSansCondensed.ttf"))
    pdf.add_font("DejaVu", "B", str(FONTS / "DejaVuSansCondensed-Bold.ttf"))
    pdf.set_title(str(report.title))
    pdf.set_creator("TIP case management")

    # The title page: what, how classified, which filters, who exported it and when. It fits
    # on one page (landscape A4 has about 186 mm between the margins).
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 20)
    pdf.ln(8)
    pdf.cell(0, 12, str(report.title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "B", 12)
    pdf.set_text_color(150, 0, 0)
    pdf.multi_cell(0, 8, f"{_('Classification')}: {report.classification}", border=1, new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)
    pdf.ln(3)
    pdf.set_font("DejaVu", size=11)
    for line in _about(report, total)[2:]:
        pdf.cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font("DejaVu", "B", 11)
    pdf.cell(0, 6, _("Contents"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", size=9)
    for section in report.sections:
        pdf.cell(0, 4.6, str(section.title), new_x="LMARGIN", new_y="NEXT")
        for table in section.tables:
            pdf.cell(0, 4.6, f"    {table.title}", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font("DejaVu", size=9)
    pdf.multi_cell(0, 5, _("Victims appear by their pseudonymous code only. No victim's identity is held in this "
                           "report."), new_x="LMARGIN", new_y="NEXT")

    weights = {BOOL: 0.8, INT: 0.8, NUMBER: 0.9, DATE: 1.1, DATETIME: 1.4}
    for section in report.sections:
        pdf.add_page()
        pdf.set_font("DejaVu", "B", 14)
        pdf.cell(0, 9, str(section.title), new_x="LMARGIN", new_y="NEXT")
        for table in section.tables:
            count = table.count()
            pdf.set_font("DejaVu", "B", 11)
            pdf.cell(0, 7, f"{table.title} ({count})", new_x="LMARGIN", new_y="NEXT")
            if table.note:
                pdf.set_font("DejaVu", size=8)
                pdf.multi_cell(0, 4, str(table.note), new_x="LMARGIN", new_y="NEXT")
            pdf.ln(1)
            if not count:
                pdf.set_font("DejaVu", size=9)
                pdf.cell(0, 6, _("None."), new_x="LMARGIN", new_y="NEXT")
                pdf.ln(3)
                continue
            pdf.set_font("DejaVu", size=7)
            widths = _column_widths(pdf, table.columns, weights)
            # fpdf2 holds a table's rows until it lays the table out: a long table is laid out
            # PDF_ROWS rows at a time, each part under its heading, so memory stays bounded.
            rows = table.rows(chunk_size=CHUNK)
            while True:
                part = list(itertools.islice(rows, PDF_ROWS))
                if not part:
                    break
                with pdf.table(col_widths=widths, repeat_headings=TableHeadingsDisplay.ON_TOP_OF_EVERY_PAGE,
                               line_height=3.6, text_align="LEFT", first_row_as_headings=True) as grid:
                    heading = grid.row()
                    for column in table.columns:
                        heading.cell(str(column.label))
                    for cells, _links in part:
                        row = grid.row()
                        for value in cells:
                            row.cell(cell_text(value))
                        counter.add()
            pdf.ln(4)
    pdf.output(str(path))
    return counter.finish()


WRITERS = {"csv": write_csv, "xlsx": write_xlsx, "pdf": write_pdf}
