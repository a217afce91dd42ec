"""VIS-1/VIS-3 compliance, JOB-1 digest, RET-6 greetings."""
import datetime as dt

import pytest
from django.utils import timezone

from portal.sms.models import OutboxMessage
from visits import compliance
from visits.jobs import care_greetings, visit_frequency_warnings
from visits.models import VisitFrequency


@pytest.mark.parametrize("today, months, start, end", [
    (dt.date(2026, 11, 22), 1, dt.date(2026, 11, 1), dt.date(2026, 11, 30)),
    (dt.date(2026, 11, 22), 2, dt.date(2026, 11, 1), dt.date(2026, 12, 31)),
    (dt.date(2026, 2, 10), 2, dt.date(2026, 1, 1), dt.date(2026, 2, 28)),
    (dt.date(2026, 4, 30), 2, dt.date(2026, 3, 1), dt.date(2026, 4, 30)),
])
def test_calendar_periods(today, months, start, end):
    assert compliance.period_start(today, months) == start
    assert compliance.period_end(today, months) == end


def test_status_done_due_overdue():
    today, created = dt.date(2026, 11, 22), dt.date(2025, 1, 1)
    assert compliance.status_for(dt.date(2026, 11, 2), created, 1, today) == "done"
    assert compliance.status_for(dt.date(2026, 10, 15), created, 1, today) == "due"
    assert compliance.status_for(dt.date(2026, 9, 30), created, 1, today) == "overdue"
    assert compliance.status_for(None, created, 2, today) == "overdue"
    assert compliance.status_for(None, dt.date(2026, 10, 1), 2, today) == "due"  # new since last period
    assert compliance.status_for(dt.date(2026, 9, 1), created, 2, today) == "due"  # Sep–Oct was visited


def test_policy_table_drives_compliance(book, people):
    """VIS-1 is a table in the admin: C-class group every 2 months → change to monthly."""
    from groupclients.models import GroupCustomer

    g = book["g3"]  # class C
    GroupCustomer.objects.filter(pk=g.pk).update(last_visited_on=timezone.localdate().replace(day=1)
                                                 - dt.timedelta(days=1))
    today = timezone.localdate()
    obs = [o for o in compliance.obligations(GroupCustomer.objects.filter(pk=g.pk), today=today) if o.contact is None]
    expected_two_month = "done" if compliance.period_start(today, 2) <= today.replace(day=1) - dt.timedelta(days=1) \
        else "due"
    assert obs[0].status == expected_two_month
    VisitFrequency.objects.filter(grade="C", target="group").update(period_months=1)
    obs = [o for o in compliance.obligations(GroupCustomer.objects.filter(pk=g.pk), today=today) if o.contact is None]
    assert obs[0].months == 1 and obs[0].status == "due"


def test_frequency_warning_digest_once_per_day(book, people):
    people["am1"].mobile = "13700000111"
    people["am1"].save()
    people["leader1"].mobile = "13700000222"
    people["leader1"].save()
    from groupclients.models import GroupCustomer

    # g1 has not been visited for a year: overdue whatever today's date
    GroupCustomer.objects.filter(pk=book["g1"].pk).update(created_at=timezone.now() - dt.timedelta(days=400))
    first = visit_frequency_warnings()
    assert first["ams_warned"] >= 1 and first["supervisors_warned"] == 1
    n = OutboxMessage.objects.count()
    assert OutboxMessage.objects.filter(to="13700000111").count() == 1
    visit_frequency_warnings()
    assert OutboxMessage.objects.count() == n  # same day: nothing new


def test_birthday_greetings_respect_do_not_disturb(book, people):
    from tests.factories import ContactFactory

    today = timezone.localdate()
    bday = today.replace(year=1980)
    ContactFactory(group=book["g1"], type="decision_maker", mobile="13711110001", birthday=bday, name="寿星")
    ContactFactory(group=book["g1"], type="dept_head", mobile="13711110002", birthday=bday, do_not_disturb=True)
    ContactFactory(group=book["g1"], type="contact", mobile="13711110003", birthday=bday)  # not a key person
    sent = care_greetings(today=today)
    assert sent["birthday"] == 1
    row = OutboxMessage.objects.get(to="13711110001")
    assert "寿星" in row.text and "生日" in row.text and row.kind == "marketing"
    care_greetings(today=today)
    assert OutboxMessage.objects.filter(to="13711110001").count() == 1


def test_holiday_greeting_on_first_day_only(book, people):
    from tests.factories import ContactFactory

    ContactFactory(group=book["g1"], type="decision_maker", mobile="13711110009", name="节日")
    assert care_greetings(today=dt.date(2025, 10, 1))["holiday"] >= 1
    assert "国庆节" in OutboxMessage.objects.get(to="13711110009").text
    assert care_greetings(today=dt.date(2025, 10, 2))["holiday"] == 0
    assert care_greetings(today=dt.date(2031, 10, 1))["holiday"] == 0  # unknown year: no error
