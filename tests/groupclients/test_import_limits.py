"""Issue 12 item 8: import limits — big sheets are refused while reading, a stale <dimension> does not
hide rows, GBK/GB18030 CSVs are accepted, undecodable files get a message, and an import never
stays "checking" for ever."""
import datetime as dt
import io
import re
import zipfile
from unittest import mock

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook

from groupclients import transfer
from groupclients.import_files import decode_csv, read_table
from groupclients.models import GroupCustomer, ImportJob

HEADER = ["集团编码", "集团名称*", "单位类型", "地址", "电话", "行业", "员工数", "年营业额(万元)", "集团类别*",
          "状态", "所属营销单元编码*", "客户经理账号*"]


def row(i):
    return ["", f"导入集团{i}", "enterprise", "杭州市", "0571-1", "it", 10, 100, "B", "active", "U11", "am1"]


def xlsx_bytes(rows) -> bytes:
    wb = Workbook()
    for r in rows:
        wb.active.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def stale_dimension(data: bytes) -> bytes:
    """The same workbook with <dimension ref="A1:A1"/>, as some generators write it."""
    src, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            body = src.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet"):
                body = re.sub(rb'<dimension ref="[^"]*"\s*/>', b'<dimension ref="A1:A1"/>', body)
                assert b'<dimension ref="A1:A1"/>' in body
            dst.writestr(item, body)
    return out.getvalue()


@pytest.fixture
def run_commit(django_capture_on_commit_callbacks):
    def go(fn, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)
    return go


def _upload(client, run_commit, name, content, kind="groups"):
    run_commit(client.post, reverse("import-start"), {"kind": kind, "file": SimpleUploadedFile(name, content)})
    return ImportJob.objects.order_by("-pk").first()


def _messages(job):
    return " ".join(m for e in job.errors for msgs in e["errors"].values() for m in msgs)


def test_issue12_item8_stale_dimension_reads_every_row(people, org, client_for, run_commit):
    """issue 12 item 8: a workbook whose <dimension> says A1:A1 still reads its 3 rows (was "valid, 0 rows")."""
    data = stale_dimension(xlsx_bytes([HEADER, row(1), row(2), row(3)]))
    job = _upload(client_for(people["am1"]), run_commit, "groups.xlsx", data)
    assert job.status == ImportJob.Status.VALID, job.errors
    assert job.total_rows == 3 and job.created_count == 3


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8", "utf-8-sig", "utf-16"])
def test_issue12_item8_csv_in_the_encodings_excel_writes(people, org, client_for, run_commit, encoding):
    """issue 12 item 8: a GBK/GB18030 CSV (Excel on Chinese Windows) is accepted like UTF-8."""
    lines = [",".join(HEADER), ",".join(str(v) for v in row(1)), ",".join(str(v) for v in row(2))]
    data = ("\r\n".join(lines) + "\r\n").encode(encoding)
    job = _upload(client_for(people["am1"]), run_commit, "groups.csv", data)
    assert job.status == ImportJob.Status.VALID, job.errors
    assert job.total_rows == 2
    run_commit(client_for(people["am1"]).post, reverse("import-apply", args=[job.pk]))
    assert set(GroupCustomer.objects.values_list("name", flat=True)) == {"导入集团1", "导入集团2"}


@pytest.mark.parametrize("content", [b"\xff\xff\xfe\x80\x00binary", b"\x00\x01\x02\x03" * 50])
def test_issue12_item8_undecodable_csv_gets_a_clear_message(people, org, client_for, run_commit, content):
    """issue 12 item 8: not a raw codec error — a message saying how to save the file."""
    job = _upload(client_for(people["am1"]), run_commit, "groups.csv", content)
    assert job.status == ImportJob.Status.INVALID
    text = _messages(job)
    assert "UTF-8" in text and "GB18030" in text and "codec" not in text
    with pytest.raises(ValueError):
        decode_csv(content)


def test_issue12_item8_row_cap_counted_while_reading(people, org, client_for, run_commit, settings):
    """issue 12 item 8: more data rows than IMPORT_MAX_ROWS → refused with the limit in the message,
    however small the (compressed) file is."""
    settings.IMPORT_MAX_ROWS = 50
    data = xlsx_bytes([HEADER] + [row(i) for i in range(51)])
    assert len(data) < 20_000  # tiny compressed: the old 20 MB rule would have let it through
    job = _upload(client_for(people["am1"]), run_commit, "groups.xlsx", data)
    assert job.status == ImportJob.Status.INVALID and "50" in _messages(job)
    assert not GroupCustomer.objects.exists()
    settings.IMPORT_MAX_ROWS = 51
    job = _upload(client_for(people["am1"]), run_commit, "groups.xlsx", data)
    assert job.status == ImportJob.Status.VALID and job.total_rows == 51


def test_issue12_item8_reading_stops_at_the_cap(settings):
    """issue 12 item 8: the reader stops at the first row over the limit (it does not read the rest)."""
    settings.IMPORT_MAX_ROWS = 10
    seen = []

    def rows():
        for i in range(1_000_000):
            seen.append(i)
            yield [f"v{i}", "x"]

    with mock.patch("groupclients.import_files._csv_rows", return_value=rows()), pytest.raises(ValueError):
        read_table(io.BytesIO(b""), "big.csv")
    assert len(seen) == 12  # header + 10 rows + the one over the limit


def test_issue12_item8_cell_cap(settings):
    """issue 12 item 8: a cap on cells as well (wide sheets), counted while reading."""
    settings.IMPORT_MAX_CELLS = 100
    data = xlsx_bytes([[f"c{j}" for j in range(30)] for _ in range(5)])
    with pytest.raises(ValueError, match="100"):
        read_table(io.BytesIO(data), "wide.xlsx")
    settings.IMPORT_MAX_CELLS = 150
    assert len(read_table(io.BytesIO(data), "wide.xlsx")) == 5


def test_issue12_item8_validation_runs_in_the_task_not_the_request(people, org, client_for, run_commit):
    """issue 12 item 8: the upload only stores the job and queues the Celery task (after commit)."""
    with mock.patch("groupclients.tasks.import_run.delay") as delay:
        job = _upload(client_for(people["am1"]), run_commit, "groups.xlsx", xlsx_bytes([HEADER, row(1)]))
    delay.assert_called_once_with(job.pk, False)
    assert job.status == ImportJob.Status.VALIDATING and job.total_rows == 0


def test_issue12_item8_progress_is_published_while_checking(people, org, client_for, run_commit):
    """issue 12 item 8: the check publishes progress (rows done of total) for the page."""
    published = []
    real = transfer.progress_publish

    def spy(job, done, total=None, phase=""):
        published.append((phase, done, total))
        return real(job, done, total, phase)

    with mock.patch("groupclients.transfer.run.progress_publish", side_effect=spy):
        job = _upload(client_for(people["am1"]), run_commit, "groups.xlsx",
                      xlsx_bytes([HEADER] + [row(i) for i in range(1200)]))
    assert job.status == ImportJob.Status.VALID
    assert ("checking", 1000, 1200) in published
    r = client_for(people["am1"]).get(reverse("import-progress", args=[job.pk])).json()
    assert r["finished"] is True and r["total"] == 1200 and "at" not in r


def test_issue12_item8_a_crash_in_the_task_ends_failed_with_a_message(people, org, client_for, run_commit):
    """issue 12 item 8: an unexpected error does not leave the import "checking"."""
    with mock.patch("groupclients.transfer.run.validate", side_effect=RuntimeError("database went away")):
        job = _upload(client_for(people["am1"]), run_commit, "groups.xlsx", xlsx_bytes([HEADER, row(1)]))
    assert job.status == ImportJob.Status.FAILED
    assert "database went away" in _messages(job)


def test_issue12_item8_stale_import_ends_failed(people, org, client_for, settings):
    """issue 12 item 8: a job "checking" with no progress for IMPORT_STALE_MINUTES (lost task, killed
    worker) is shown failed with a message; a live one (recent heartbeat) is left alone."""
    settings.IMPORT_STALE_MINUTES = 30
    c = client_for(people["am1"])
    old = ImportJob.objects.create(kind="groups", file=SimpleUploadedFile("a.xlsx", b"x"), original_name="a.xlsx",
                                   created_by=people["am1"])
    ImportJob.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(minutes=31))
    live = ImportJob.objects.create(kind="groups", file=SimpleUploadedFile("b.xlsx", b"x"), original_name="b.xlsx",
                                    created_by=people["am1"])
    ImportJob.objects.filter(pk=live.pk).update(created_at=timezone.now() - dt.timedelta(minutes=31))
    transfer.progress_publish(live, 10, 100, "checking")
    r = c.get(reverse("import-progress", args=[old.pk])).json()
    assert r["status"] == "failed" and r["finished"] is True
    old.refresh_from_db()
    assert "30" in _messages(old) and old.finished_at is not None
    assert c.get(reverse("import-detail", args=[live.pk])).status_code == 200
    live.refresh_from_db()
    assert live.status == ImportJob.Status.VALIDATING
    cache.clear()


def test_issue12_item8_apply_that_was_expired_rolls_back(people, org, client_for, run_commit):
    """issue 12 item 8: if a running apply was marked failed meanwhile, it commits nothing."""
    c = client_for(people["am1"])
    job = _upload(c, run_commit, "groups.xlsx", xlsx_bytes([HEADER, row(1), row(2)]))
    assert job.status == ImportJob.Status.VALID
    real_save = transfer.KINDS["groups"].save

    def save_then_expire(obj, is_new, user):
        real_save(obj, is_new, user)
        ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.FAILED)

    with mock.patch.object(transfer.KINDS["groups"], "save", side_effect=save_then_expire):
        run_commit(c.post, reverse("import-apply", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert not GroupCustomer.objects.filter(name__startswith="导入集团").exists()
