"""GC-8: template, dry run naming every bad row, all-or-nothing apply; exports scoped, masked, audited."""
import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from groupclients.models import Contact, GroupCustomer, ImportJob
from portal.models import AuditEvent


@pytest.fixture
def run_commit(django_capture_on_commit_callbacks):
    """Run the on-commit hooks (the Celery task, eager in tests) of what the view did."""
    def go(fn, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)
    return go


def xlsx(rows):
    wb = Workbook()
    for r in rows:
        wb.active.append(r)
    out = io.BytesIO()
    wb.save(out)
    return SimpleUploadedFile("groups.xlsx", out.getvalue())


HEADER = ["集团编码", "集团名称*", "单位类型", "地址", "电话", "行业", "员工数", "年营业额(万元)", "集团类别*",
          "状态", "所属营销单元编码*", "客户经理账号*"]


def test_template_downloads_with_headers(people, client_for):
    r = client_for(people["am1"]).get(reverse("import-template", args=["contacts"]))
    assert r.status_code == 200
    ws = load_workbook(io.BytesIO(r.content)).active
    assert ws.cell(1, 1).value == "集团编码*" and ws.cell(2, 7).value == "13812345678"


def test_import_with_one_bad_row_applies_nothing_then_fixed_file_applies_all(people, org, client_for, run_commit):
    """Done-when: am1 imports a spreadsheet with one bad row, is told which row and why, nothing applied."""
    c = client_for(people["am1"])
    good = ["", "导入集团甲", "enterprise", "杭州市", "0571-1", "it", 10, 100, "B", "active", "U11", "am1"]
    bad = ["", "导入集团乙", "enterprise", "杭州市", "0571-2", "it", "很多", 100, "B", "active", "U11", "am1"]
    r = run_commit(c.post, reverse("import-start"), {"kind": "groups", "file": xlsx([HEADER, good, bad])})
    job = ImportJob.objects.get()
    assert r.status_code == 302
    job.refresh_from_db()
    assert job.status == "invalid"
    assert job.errors == [{"row": 3, "errors": {"employee_count": ["Not a whole number: 很多"]}}] or \
        (job.errors[0]["row"] == 3 and "employee_count" in job.errors[0]["errors"])
    page = c.get(reverse("import-detail", args=[job.pk])).content.decode()
    assert "employee_count" in page
    assert run_commit(c.post, reverse("import-apply", args=[job.pk])).status_code == 302
    job.refresh_from_db()
    assert job.status == "invalid"
    assert not GroupCustomer.objects.exists()

    bad[6] = 20
    run_commit(c.post, reverse("import-start"), {"kind": "groups", "file": xlsx([HEADER, good, bad])})
    job2 = ImportJob.objects.order_by("-pk").first()
    assert job2.status == "valid" and job2.created_count == 2
    assert not GroupCustomer.objects.exists()  # the dry run saved nothing
    run_commit(c.post, reverse("import-apply", args=[job2.pk]))
    job2.refresh_from_db()
    assert job2.status == "applied"
    assert set(GroupCustomer.objects.values_list("name", flat=True)) == {"导入集团甲", "导入集团乙"}
    assert c.get(reverse("import-progress", args=[job2.pk])).json()["finished"] is True


def test_import_outside_scope_is_a_row_error(people, org, client_for, run_commit):
    c = client_for(people["am1"])
    row = ["", "别人的集团", "enterprise", "宁波", "0574-1", "it", 10, 100, "C", "", "U21", "am2"]
    run_commit(c.post, reverse("import-start"), {"kind": "groups", "file": xlsx([HEADER, row])})
    job = ImportJob.objects.get()
    assert job.status == "invalid" and "am_username" in job.errors[0]["errors"]


def test_apply_fails_whole_when_data_changed_since_dry_run(book, people, client_for, run_commit):
    """All or nothing even if the second row turns bad between the dry run and the apply."""
    header = ["集团编码", "姓名", "类型", "手机号码"]
    rows = [header, [book["g1"].code, "甲", "contact", "13700001111"], [book["g1"].code, "乙", "contact", "13700002222"]]
    c = client_for(people["am1"])
    run_commit(c.post, reverse("import-start"), {"kind": "contacts", "file": xlsx(rows)})
    job = ImportJob.objects.get()
    assert job.status == "valid"
    people["am1"].roles.clear()  # lost the right to write g1 meanwhile
    people["am1"].__dict__.pop("role_codes", None)
    from groupclients.transfer import run_import

    job.status = "applying"
    job.save()
    run_import(ImportJob.objects.get(pk=job.pk), apply=True)
    job.refresh_from_db()
    assert job.status == "failed"
    assert not Contact.objects.filter(mobile__in=["13700001111", "13700002222"]).exists()


def test_csv_import_and_missing_column(book, people, client_for, run_commit):
    c = client_for(people["am1"])
    text = "集团编码,手机号码\n" + f"{book['g1'].code},13600000009\n"
    run_commit(c.post, reverse("import-start"), {"kind": "members", "file": SimpleUploadedFile("m.csv", text.encode("utf-8-sig"))})
    job = ImportJob.objects.get()
    assert job.status == "valid"
    text = "手机号码\n13600000010\n"
    run_commit(c.post, reverse("import-start"), {"kind": "members", "file": SimpleUploadedFile("m.csv", text.encode())})
    job = ImportJob.objects.order_by("-pk").first()
    assert job.status == "invalid" and "集团编码" in job.errors[0]["errors"]["file"][0]
    r = run_commit(c.post, reverse("import-start"), {"kind": "members", "file": SimpleUploadedFile("m.txt", b"x")})
    assert r.status_code == 200 and "file" in r.context["form"].errors


def test_export_is_scoped_masked_and_audited(book, people, client_for):
    r = client_for(people["leader1"]).get(reverse("export", args=["contacts"]))
    assert r.status_code == 200
    rows = list(load_workbook(io.BytesIO(r.content)).active.iter_rows(values_only=True))
    assert len(rows) == 2  # header + 张总 (g1 is in leader1's unit; g2 is not)
    assert rows[1][2] == "张总" and rows[1][7] == "138****5678"
    ev = AuditEvent.objects.get(action="export")
    assert ev.username == "leader1" and ev.detail["rows"] == 1
    r = client_for(people["am1"]).get(reverse("export", args=["contacts"]))
    rows = list(load_workbook(io.BytesIO(r.content)).active.iter_rows(values_only=True))
    assert rows[1][7] == "13812345678"  # the owner sees the number in clear
    r = client_for(people["am2"]).get(reverse("export", args=["groups"]))
    rows = list(load_workbook(io.BytesIO(r.content)).active.iter_rows(values_only=True))
    assert [row[1] for row in rows[1:]] == ["宁波港集团"]


@pytest.mark.parametrize("kind", ["groups", "sites", "contacts", "members"])
def test_every_export_kind_works(book, people, client_for, kind):
    assert client_for(people["manager1"]).get(reverse("export", args=[kind])).status_code == 200


def test_unused_csv_module_reader_roundtrip():
    # guards the CSV decoding path with a BOM (Excel's 'CSV UTF-8')
    data = "\ufeff集团编码\nG1\n".encode()
    assert list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))[0] == ["集团编码"]


def test_billing_usage_file_import_dry_run_then_apply(book, people, client_for, run_commit):
    from groupclients.billing.models import UsageMonth
    from tests.factories import MemberFactory

    MemberFactory(group=book["g1"], mobile="13600000501")
    c = client_for(people["admin"])
    rows = [["手机号码", "月份", "收入"], ["13600000501", "2026-10", "50"], ["13600009999", "2026-10", "10"]]
    run_commit(c.post, reverse("import-start"), {"kind": "usage", "file": xlsx(rows)})
    job = ImportJob.objects.get()
    assert job.status == "invalid" and job.errors[0]["row"] == 3 and "mobile" in job.errors[0]["errors"]
    assert not UsageMonth.objects.exists()
    run_commit(c.post, reverse("import-start"), {"kind": "usage", "file": xlsx(rows[:2])})
    job = ImportJob.objects.order_by("-pk").first()
    assert job.status == "valid" and not UsageMonth.objects.exists()  # the dry run rolled back
    run_commit(c.post, reverse("import-apply", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == "applied" and UsageMonth.objects.get().revenue == 50
    # only the billing integration (admin) imports the feed
    run_commit(client_for(people["am1"]).post, reverse("import-start"), {"kind": "usage", "file": xlsx(rows[:2])})
    assert ImportJob.objects.order_by("-pk").first().status == "invalid"
