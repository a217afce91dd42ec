"""Mainland-China working days (SPEC SAT-3): published holidays, adjusted workdays, fallback, overrides."""
from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from portal import workdays
from portal.models import AuditEvent, WorkdayOverride
from portal.workdays import (
    CHINA_TZ,
    WorkdayCalendar,
    add_workdays,
    deadline_end_of_nth_workday,
    is_workday,
    workdays_between,
)

pytestmark = pytest.mark.django_db


def cst(*args: int) -> datetime:
    """An aware datetime in China Standard Time."""
    return datetime(*args, tzinfo=CHINA_TZ)


def end_of(d: date) -> datetime:
    return datetime.combine(d, time(23, 59, 59, 999999), tzinfo=CHINA_TZ)


def days(start: date, end: date) -> list[date]:
    return [start + timedelta(n) for n in range((end - start).days + 1)]


# ---- 2025 National Day: Oct 1–8 off; Sun Sep 28 and Sat Oct 11 are adjusted workdays -------------


def test_national_day_2025():
    assert all(not is_workday(d) for d in days(date(2025, 10, 1), date(2025, 10, 8)))
    assert is_workday(date(2025, 9, 28))  # Sunday, adjusted workday
    assert is_workday(date(2025, 10, 11))  # Saturday, adjusted workday
    assert not is_workday(date(2025, 9, 27)) and not is_workday(date(2025, 10, 12))
    assert is_workday(date(2025, 9, 30)) and is_workday(date(2025, 10, 9))


def test_repair_due_from_friday_26_september_2025_counts_the_adjusted_sunday():
    # Reply on Friday afternoon: Saturday 27th off, Sunday 28th is the 1st working day, Monday 29th the 2nd.
    reply = cst(2025, 9, 26, 15, 30)
    assert deadline_end_of_nth_workday(reply, 1) == end_of(date(2025, 9, 28))
    assert deadline_end_of_nth_workday(reply, 2) == end_of(date(2025, 9, 29))


def test_across_national_day_and_the_adjusted_saturday():
    # From Tue 30 Sep: Oct 1–8 off, Thu 9th is the 1st, Fri 10th the 2nd, Sat 11th (adjusted) the 3rd.
    assert add_workdays(date(2025, 9, 30), 1) == date(2025, 10, 9)
    assert add_workdays(date(2025, 9, 30), 2) == date(2025, 10, 10)
    assert add_workdays(date(2025, 9, 30), 3) == date(2025, 10, 11)
    assert add_workdays(date(2025, 10, 10), 1) == date(2025, 10, 11)
    # a reply on a holiday counts from the holiday
    assert deadline_end_of_nth_workday(cst(2025, 10, 3, 9, 0), 2) == end_of(date(2025, 10, 10))
    assert workdays_between(date(2025, 9, 26), date(2025, 10, 12)) == 6  # 28, 29, 30, 9, 10, 11


def test_the_day_is_taken_in_china_time():
    # 17:00 UTC on Friday 10 Oct 2025 is 01:00 on Saturday 11 Oct in Beijing (an adjusted workday).
    utc = datetime(2025, 10, 10, 17, 0, tzinfo=UTC)
    assert deadline_end_of_nth_workday(utc, 1) == end_of(date(2025, 10, 13))  # from Saturday: next is Monday
    assert deadline_end_of_nth_workday(utc, 1).utcoffset() == timedelta(hours=8)
    before_midnight = datetime(2025, 10, 10, 15, 59, tzinfo=UTC)  # 23:59 on Friday in Beijing
    assert deadline_end_of_nth_workday(before_midnight, 1) == end_of(date(2025, 10, 11))
    naive = datetime(2025, 10, 10, 16, 0)  # taken as China time: still Friday
    assert deadline_end_of_nth_workday(naive, 1) == end_of(date(2025, 10, 11))
    assert is_workday(datetime(2025, 9, 30, 17, 0, tzinfo=UTC)) is False  # = 1 Oct 01:00 in Beijing


# ---- 2026 Spring Festival: Feb 15–23 off; Sat Feb 14 and Sat Feb 28 are adjusted workdays -------


def test_spring_festival_2026():
    assert all(not is_workday(d) for d in days(date(2026, 2, 15), date(2026, 2, 23)))
    assert is_workday(date(2026, 2, 14)) and is_workday(date(2026, 2, 28))  # adjusted Saturdays
    assert not is_workday(date(2026, 3, 1))  # the Sunday after is an ordinary day off
    assert is_workday(date(2026, 2, 13)) and is_workday(date(2026, 2, 24))
    assert add_workdays(date(2026, 2, 13), 1) == date(2026, 2, 14)
    assert add_workdays(date(2026, 2, 13), 2) == date(2026, 2, 24)
    assert add_workdays(date(2026, 2, 27), 1) == date(2026, 2, 28)
    assert add_workdays(date(2026, 2, 27), 2) == date(2026, 3, 2)
    reply = cst(2026, 2, 14, 20, 0)  # Saturday evening before the holiday
    assert deadline_end_of_nth_workday(reply, 2) == end_of(date(2026, 2, 25))
    assert workdays_between(date(2026, 2, 13), date(2026, 2, 28)) == 6  # 14, 24, 25, 26, 27, 28


# ---- beyond chinesecalendar: Monday–Friday, overrides -----------------------------------------


def test_2027_falls_back_to_monday_to_friday():
    assert not workdays.is_year_published(2027), (
        "chinesecalendar now knows 2027: move the fallback tests to the first year it does not know"
    )
    assert workdays.is_year_published(2026) and workdays.last_published_year() == 2026
    # Fri 1 Jan 2027 is New Year's Day, but nothing says so yet: a plain Friday.
    assert is_workday(date(2027, 1, 1))
    assert [is_workday(d) for d in days(date(2027, 1, 1), date(2027, 1, 10))] == [
        True, False, False, True, True, True, True, True, False, False,
    ]
    assert add_workdays(date(2027, 1, 1), 1) == date(2027, 1, 4)
    assert workdays_between(date(2026, 12, 31), date(2027, 1, 31)) == 21  # Jan 2027 has 21 weekdays


def test_overrides_for_2027_are_honoured(people):
    workdays.workday_override_set(day=date(2027, 1, 1), is_workday=False, note="元旦", by=people["admin"])
    workdays.workday_override_set(day=date(2027, 2, 6), is_workday=True, note="春节调休")  # a Saturday
    assert not is_workday(date(2027, 1, 1))
    assert is_workday(date(2027, 2, 6))
    assert add_workdays(date(2026, 12, 31), 1) == date(2027, 1, 4)
    assert add_workdays(date(2027, 2, 5), 1) == date(2027, 2, 6)
    assert deadline_end_of_nth_workday(cst(2027, 2, 5, 10), 2) == end_of(date(2027, 2, 8))
    ev = AuditEvent.objects.filter(action=AuditEvent.Action.POLICY_CHANGED).order_by("id").first()
    assert ev.actor == people["admin"] and ev.target_type == "portal.workdayoverride"
    assert ev.detail == {"key": "workday:2027-01-01", "old": None,
                         "new": {"is_workday": False, "note": "元旦"}}


def test_an_override_beats_the_published_calendar_and_is_seen_at_once():
    assert not is_workday(date(2025, 10, 8))
    row = workdays.workday_override_set(day=date(2025, 10, 8), is_workday=True)
    assert is_workday(date(2025, 10, 8))
    assert add_workdays(date(2025, 9, 30), 1) == date(2025, 10, 8)
    # changed by another process (a bare UPDATE, no signal or cache involved): the next call sees it
    WorkdayOverride.objects.filter(pk=row.pk).update(is_workday=False)
    assert not is_workday(date(2025, 10, 8))
    assert workdays.workday_override_delete(day=date(2025, 10, 8)) is True
    assert workdays.workday_override_delete(day=date(2025, 10, 8)) is False
    assert not is_workday(date(2025, 10, 8))  # back to the published holiday
    assert workdays.published_is_workday(date(2025, 10, 8)) is False


def test_a_calendar_snapshot_reads_each_year_once(django_assert_num_queries):
    WorkdayOverride.objects.create(date=date(2027, 5, 4), is_workday=False)
    cal = WorkdayCalendar()
    with django_assert_num_queries(1):
        assert [cal.is_workday(d) for d in days(date(2027, 5, 3), date(2027, 5, 5))] == [True, False, True]
        assert cal.workdays_between(date(2027, 5, 1), date(2027, 5, 31)) == 20
    with django_assert_num_queries(2):  # 2028 and 2029 in one query, then 2030
        cal.workdays_between(date(2027, 12, 1), date(2029, 1, 31))
        cal.is_workday(date(2030, 1, 1))


@pytest.mark.parametrize(
    "d",
    [date.min, date.max, date(1, 1, 1), date(1900, 1, 1), date(2003, 12, 31), date(2004, 1, 1),
     date(2100, 2, 28), date(9999, 12, 31)],
)
def test_no_date_raises(d):
    assert is_workday(d) == workdays.published_is_workday(d)
    if d.year < 2004 or d.year > 2026:
        assert is_workday(d) == (d.weekday() < 5)
    assert workdays.is_year_published(d.year) == (2004 <= d.year <= 2026)


def test_far_dates_compute():
    assert add_workdays(date(3000, 1, 1), 10) == date(3000, 1, 15)  # Wed 1 Jan 3000
    assert add_workdays(date(9999, 12, 1), 5) == date(9999, 12, 8)
    assert add_workdays(date(1, 1, 10), -3) == date(1, 1, 5)
    assert deadline_end_of_nth_workday(cst(2100, 6, 4, 12), 2) == end_of(date(2100, 6, 8))
    assert workdays_between(date(2003, 12, 25), date(2004, 1, 5)) == 6  # 26, 29, 30, 31 Dec; Jan 2 and 5
    # Dec 25, 28–31 2026 (published) + Jan 1 2027 (a plain Friday: no arrangement yet), Jan 4–8
    assert workdays_between(date(2026, 12, 24), date(2027, 1, 8)) == 11


def test_add_and_between_are_inverse_and_negative_counts_backwards():
    for offset in range(0, 60, 3):
        start = date(2025, 9, 1) + timedelta(offset)
        for n in (-5, -1, 0, 1, 2, 7):
            end = add_workdays(start, n)
            assert workdays_between(start, end) == n, (start, n)
            if n:
                assert is_workday(end)
    assert add_workdays(date(2025, 10, 9), -1) == date(2025, 9, 30)
    assert add_workdays(date(2025, 10, 8), 0) == date(2025, 10, 8)
    # the day of departure never counts, the day of arrival does, in both directions
    assert workdays_between(date(2025, 10, 9), date(2025, 10, 10)) == 1
    assert workdays_between(date(2025, 10, 10), date(2025, 10, 9)) == -1
    assert workdays_between(date(2025, 10, 10), date(2025, 9, 30)) == -2  # Oct 9, Sep 30
    assert workdays_between(date(2025, 10, 5), date(2025, 10, 5)) == 0


# ---- the admin warns when next year's arrangement is missing ----------------------------------


def test_missing_arrangement_years():
    last = workdays.last_published_year()
    assert workdays.missing_arrangement_years(date(last, 6, 1)) == [last + 1]
    assert workdays.missing_arrangement_years(date(last - 1, 6, 1)) == []
    assert workdays.missing_arrangement_years(date(last + 1, 6, 1)) == [last + 1, last + 2]
    WorkdayOverride.objects.create(date=date(last + 1, 1, 1), is_workday=False)
    assert workdays.missing_arrangement_years(date(last, 6, 1)) == []
    assert workdays.missing_arrangement_years(date(last + 1, 6, 1)) == [last + 2]


def test_admin_warns_until_next_years_overrides_exist(people, client_for, monkeypatch):
    next_year = workdays.last_published_year() + 1
    monkeypatch.setattr(workdays, "today_in_china", lambda: date(next_year - 1, 11, 1))
    c = client_for(people["admin"])
    needle = f"no holiday arrangement for {next_year}"

    index = c.get("/admin/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert needle in index and f"缺少{next_year}年" in index
    assert needle in c.get("/admin/portal/workdayoverride/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert needle in c.get("/admin/portal/policyvalue/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert needle not in c.get("/admin/accounts/user/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    # the administrator enters next year's New Year's Day through the admin form
    r = c.post("/admin/portal/workdayoverride/add/",
               {"date": f"{next_year}-01-01", "is_workday": "", "note": "元旦"})
    assert r.status_code == 302, r.content.decode()[:2000]
    assert not is_workday(date(next_year, 1, 1))
    assert AuditEvent.objects.filter(action=AuditEvent.Action.POLICY_CHANGED, actor=people["admin"]).exists()

    assert needle not in c.get("/admin/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert needle not in c.get("/admin/portal/workdayoverride/", HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_no_admin_warning_when_next_year_is_published(people, client_for, monkeypatch):
    last = workdays.last_published_year()
    monkeypatch.setattr(workdays, "today_in_china", lambda: date(last - 1, 11, 1))
    html = client_for(people["admin"]).get("/admin/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "no holiday arrangement" not in html
    assert "Working-day overrides" in html  # the page did render the app list


def test_admin_override_edit_and_delete_go_through_the_services(people, client_for):
    row = workdays.workday_override_set(day=date(2027, 10, 1), is_workday=False, note="国庆")
    c = client_for(people["admin"])
    r = c.post(f"/admin/portal/workdayoverride/{row.pk}/change/", {"is_workday": "on", "note": "调休"})
    assert r.status_code == 302
    assert is_workday(date(2027, 10, 1))
    r = c.post(f"/admin/portal/workdayoverride/{row.pk}/delete/", {"post": "yes"})
    assert r.status_code == 302 and not WorkdayOverride.objects.exists()
    details = [e.detail for e in AuditEvent.objects.filter(actor=people["admin"]).filter(
        action=AuditEvent.Action.POLICY_CHANGED).order_by("id")]
    assert [(d["old"], d["new"]) for d in details] == [
        ({"is_workday": False, "note": "国庆"}, {"is_workday": True, "note": "调休"}),
        ({"is_workday": True, "note": "调休"}, None),
    ]
