"""Reading an uploaded sheet into rows, within limits (issue 12 item 8).

- Limits are counted while reading, row by row — not by the upload's (compressed) size: at most
  `settings.IMPORT_MAX_ROWS` data rows and `settings.IMPORT_MAX_CELLS` non-empty-row cells. Reading
  stops at the first row over a limit, so a 150 000-row sheet costs the rows up to the cap, no more.
  Settings rather than policy values: they protect the server, they are not a business rule an
  administrator should be able to raise in the admin site.
- An .xlsx is read without trusting its `<dimension>` element (`reset_dimensions()`): a workbook
  written by a tool that leaves a stale dimension (`A1:A1`) would otherwise read as 0 rows.
- A CSV may be UTF-8 (with or without BOM), UTF-16 with BOM (Excel's "Unicode text") or
  GB18030/GBK (what Excel writes for "CSV" on a Chinese Windows). Anything else gets a message
  saying how to save the file, never a raw codec error.
"""
from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Callable, Iterator
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from portal.spreadsheet import csv_value_in


def decode_csv(raw: bytes) -> str:
    """The text of a CSV upload in the encodings Excel writes; ValueError with a message otherwise."""
    if raw.startswith(codecs.BOM_UTF8):
        candidates = ["utf-8-sig"]
    elif raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ["utf-16"]
    else:
        # GB18030 is a superset of GBK and GB2312; strict UTF-8 first, since valid UTF-8 Chinese
        # text is very unlikely to also be what a GBK file says.
        candidates = ["utf-8", "gb18030"]
    for encoding in candidates:
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" in text:
            break  # a binary file (or UTF-16 without a BOM) that happened to decode
        return text
    raise ValueError(_("This CSV file is not text in UTF-8 or GB18030/GBK. Save it from Excel as "
                       "“CSV UTF-8 (逗号分隔)” or upload the .xlsx instead."))


def _csv_rows(fileobj) -> Iterator[list[Any]]:
    raw = fileobj.read()
    text = decode_csv(raw) if isinstance(raw, bytes) else raw
    try:
        for line in csv.reader(io.StringIO(text, newline="")):
            yield [csv_value_in(v) for v in line]
    except csv.Error as e:
        raise ValueError(_("This CSV file cannot be read: %(e)s") % {"e": e}) from e


def _xlsx_rows(fileobj) -> Iterator[tuple]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(fileobj, read_only=True, data_only=True)
    except Exception as e:  # openpyxl raises several kinds for a corrupt file
        raise ValueError(_("This is not a readable .xlsx file (%(e)s).") % {"e": e.__class__.__name__}) from e
    try:
        if not wb.worksheets:
            return
        ws = wb.worksheets[0]
        ws.reset_dimensions()  # do not trust <dimension>: read every row the sheet really has
        try:
            yield from ws.iter_rows(values_only=True)
        except Exception as e:  # a damaged sheet part
            raise ValueError(_("This is not a readable .xlsx file (%(e)s).") % {"e": e.__class__.__name__}) from e
    finally:
        wb.close()


def read_table(fileobj, filename: str, *, progress: Callable[[int], None] | None = None) -> list[list[Any]]:
    """The non-empty rows of the first sheet (the header first), trailing empty cells trimmed.

    Raises ValueError with a message for an unreadable file or one over the row/cell limits."""
    max_rows, max_cells = int(settings.IMPORT_MAX_ROWS), int(settings.IMPORT_MAX_CELLS)
    source = _csv_rows(fileobj) if filename.lower().endswith(".csv") else _xlsx_rows(fileobj)
    table: list[list[Any]] = []
    cells = 0
    for raw in source:
        row = list(raw)
        while row and (row[-1] is None or (isinstance(row[-1], str) and not row[-1].strip())):
            row.pop()
        if not row:
            continue
        cells += len(row)
        if len(table) > max_rows:  # the header plus max_rows data rows are allowed
            raise ValueError(_("The sheet has more than %(n)s data rows; split it into files of at most "
                               "%(n)s rows.") % {"n": f"{max_rows:,}"})
        if cells > max_cells:
            raise ValueError(_("The sheet has more than %(n)s cells; split it or remove unused columns.")
                             % {"n": f"{max_cells:,}"})
        table.append(row)
        if progress is not None and len(table) % 5000 == 0:
            progress(len(table))
    return table


__all__ = ["decode_csv", "read_table"]
