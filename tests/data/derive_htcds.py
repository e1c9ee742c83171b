"""Derive tests/data/htcds-2.0.json from IOM's HTCDS field standards spreadsheet.

    python tests/data/derive_htcds.py "HTCDS Field Standards 2.0.ods" > tests/data/htcds-2.0.json

The spreadsheet is `HTCDS Field Standards 2.0.ods` in the public repository UNMigration/HTCDS
(version 2.0 of 24 December 2021, CC BY 4.0). Only what the product is checked against is
kept: each field's section, status, whether it is core, its type and, for picklists, the value
names and labels in the spreadsheet's order. Standard library only, so it runs anywhere.
"""

import json
import sys
import zipfile
import xml.etree.ElementTree as ET

TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
TEXT_P = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}p"
SOURCE = {
    "title": "Human Trafficking Case Data Standard (HTCDS), field standards",
    "publisher": "International Organization for Migration (IOM)",
    "repository": "https://github.com/UNMigration/HTCDS",
    "file": "HTCDS Field Standards 2.0.ods",
    "commit": "3c2f6537cd76c3305975aa5eef7a1bf26fe20a30",
    "version": "2.0",
    "version_date": "2021-12-24",
    "license": "CC BY 4.0 (http://creativecommons.org/licenses/by/4.0/); no endorsement by IOM is implied",
}


def clean(text):
    return text.replace("\xa0", " ").strip()


def rows(path):
    root = ET.fromstring(zipfile.ZipFile(path).read("content.xml"))
    for row in next(root.iter(TABLE + "table")).iter(TABLE + "table-row"):
        cells = []
        for cell in row:
            repeated = min(int(cell.get(TABLE + "number-columns-repeated", "1")), 20)
            cells += ["\n".join("".join(p.itertext()) for p in cell.iter(TEXT_P))] * repeated
        yield cells + [""] * (13 - len(cells))


def derive(path):
    fields, section = {}, None
    table = rows(path)
    header = next(table)
    assert header[6] == "Field Name including Prefix" and header[9] == "Value Names (if picklist)", header
    for cells in table:
        if cells[0].strip():
            section = clean(cells[0])
        name = clean(cells[6])
        if not name:
            continue
        field = {"section": section, "status": clean(cells[1]), "core": clean(cells[2]) == "Core",
                 "label": clean(cells[5]), "type": clean(cells[7])}
        if "Picklist" in field["type"]:
            names = [clean(line) for line in cells[9].splitlines() if clean(line)]
            labels = [clean(line) for line in cells[10].splitlines() if clean(line)]
            if names and not names[0].startswith(("Use ", "[Use ")):
                field["values"] = [{"name": n, "label": label} for n, label in zip(names, labels, strict=True)]
            else:  # a standard's codes, not a list ("Use ISO 3166 country codes standard")
                field["values_from"] = " ".join(names or labels).strip("[]")
        fields[name] = field
    return {"source": SOURCE, "fields": fields}


if __name__ == "__main__":
    json.dump(derive(sys.argv[1]), sys.stdout, indent=1, ensure_ascii=False)
    sys.stdout.write("\n")
