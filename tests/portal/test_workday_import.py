"""Issue 16 item 6 (SAT-3, CFG-1): the calendar after chinesecalendar's last year — an administrator
loads a year's official arrangement from CSV, previews it, applies it; audited; all or nothing."""
import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile

from portal import workdays
from portal.models import AuditEvent, WorkdayOverride
from portal.workday_import import decode, plan_apply, plan_from_text

ARRANGEMENT_2027 = "日期,类型,说明\n2027-01-01,休,元旦\n2027/2/8,休,春节\n20270214,班,春节调休上班\n2027年10月1日,休,国庆节\n"


def test_preview_reads_every_date_form_and_changes_nothing(db):
    plan = plan_from_text(ARRANGEMENT_2027)
    assert plan.ok and plan.years == [2027]
    assert [(r.day, r.is_workday, r.note) for r in plan.rows] == [
        (dt.date(2027, 1, 1), False, "元旦"), (dt.date(2027, 2, 8), False, "春节"),
        (dt.date(2027, 2, 14), True, "春节调休上班"), (dt.date(2027, 10, 1), False, "国庆节")]
    assert {r.change for r in plan.rows} == {"new"}
    assert not WorkdayOverride.objects.exists()


def test_apply_writes_overrides_the_calendar_uses_and_audits(db, people):
    assert workdays.is_workday(dt.date(2027, 1, 1))  # a Friday, unknown to chinesecalendar
    assert 2027 in workdays.missing_arrangement_years(dt.date(2026, 12, 3))
    changed = plan_apply(plan_from_text(ARRANGEMENT_2027), by=people["admin"])
    assert changed == 4
    assert not workdays.is_workday(dt.date(2027, 1, 1))
    assert workdays.is_workday(dt.date(2027, 2, 14))  # a Sunday made a working day
    assert 2027 not in workdays.missing_arrangement_years(dt.date(2026, 12, 3))
    assert AuditEvent.objects.filter(detail__key="workday:import").count() == 1
    assert plan_apply(plan_from_text(ARRANGEMENT_2027), by=people["admin"]) == 0  # the same file again


def test_a_file_with_one_bad_row_applies_nothing(db, people, client_for):
    bad = ARRANGEMENT_2027 + "2027-02-30,休,不存在的日期\n2027-05-01,maybe,劳动节\n2027-01-01,班,重复\n"
    plan = plan_from_text(bad)
    assert not plan.ok and len(plan.errors) == 3
    c = client_for(people["admin"])
    r = c.post("/admin/portal/workdayoverride/import/", {"apply": "1", "text": bad})
    assert r.status_code == 200 and "2027-02-30" in r.content.decode()
    assert not WorkdayOverride.objects.exists()


def test_gbk_csv_from_excel_previews_and_applies_through_the_admin(db, people, client_for):
    c = client_for(people["admin"])
    assert "Import a year" in c.get("/admin/portal/workdayoverride/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    upload = SimpleUploadedFile("2027.csv", ARRANGEMENT_2027.encode("gbk"), content_type="text/csv")
    r = c.post("/admin/portal/workdayoverride/import/", {"file": upload})
    page = r.content.decode()
    assert r.status_code == 200 and "春节调休上班" in page and 'name="apply"' in page
    assert not WorkdayOverride.objects.exists()  # a preview writes nothing
    r = c.post("/admin/portal/workdayoverride/import/", {"apply": "1", "text": r.context["text"]})
    assert r.status_code == 302
    assert WorkdayOverride.objects.count() == 4


def test_only_administrators_import(db, people, client_for):
    r = client_for(people["manager1"]).get("/admin/portal/workdayoverride/import/")
    assert r.status_code in (302, 403)


def test_undecodable_or_binary_files_get_a_clear_message():
    import pytest

    with pytest.raises(ValueError, match="UTF-8"):
        decode(b"\xff\xfe\xfa\xfb\x80\x81" * 10)
    assert plan_from_text("2027-01-01,\x00休").errors
