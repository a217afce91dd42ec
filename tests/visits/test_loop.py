"""VIS-2, SAT-1..6, PEN-1: the satisfaction loop with the in-memory gateway (Kannel: test_kannel_loop)."""
import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from portal.exceptions import ApplicationError
from portal.sms.models import OutboxMessage
from portal.sms.services import sms_receive
from tickets.models import LedgerEntry
from visits import services
from visits.jobs import survey_housekeeping
from visits.models import RepairCase, Survey, SurveyReply

CST = ZoneInfo("Asia/Shanghai")


def test_saving_a_visit_queues_one_survey_per_contact(field, log_visit, flush, django_capture_on_commit_callbacks):
    """SAT-1: one SMS per visited contact, not to those who asked for none, never twice."""
    with django_capture_on_commit_callbacks(execute=True):
        visit = log_visit(field["g1"], [field["primary"], field["boss"], field["quiet"]])
    assert set(visit.surveys.values_list("mobile", flat=True)) == {"13900000001", "13812345678"}
    sent = flush()
    assert sorted(m.to for m in sent) == ["13812345678", "13900000001"]
    assert all("1 非常满意" in m.text for m in sent)
    assert flush() == []  # a second flush sends nothing again
    services.survey_send(visit=visit, contact=field["primary"])
    assert visit.surveys.count() == 2
    field["g1"].refresh_from_db()
    assert field["g1"].last_visited_on == timezone.localtime(visit.started_at).date()  # the visit's day, not today's


def test_visit_validation(field, log_visit, book, people):
    with pytest.raises(ApplicationError) as e:
        log_visit(field["g1"], [book["c2"]])  # a contact of another group
    assert "contacts" in e.value.extra["errors"]
    with pytest.raises(ApplicationError) as e:
        started = timezone.now() - dt.timedelta(hours=1)  # at 00:30 in Beijing that is yesterday
        log_visit(field["g1"], [field["primary"]], started_at=started, next_visit_on=timezone.localtime(started).date())
    assert "next_visit_on" in e.value.extra["errors"]
    with pytest.raises(ApplicationError) as e:
        log_visit(field["g1"], [field["primary"]], kind="project_acceptance", companions=[people["mm1"]])
    assert "attachments" in e.value.extra["errors"]
    with pytest.raises(ApplicationError) as e:
        log_visit(field["g1"], [field["primary"]], kind="project_survey")
    assert "companions" in e.value.extra["errors"]
    assert not field["g1"].visits.exists() and not OutboxMessage.objects.exists()


def test_acceptance_needs_attachment_and_no_open_nonconformity(field, log_visit, people):
    from django.core.files.uploadedfile import SimpleUploadedFile

    photo = SimpleUploadedFile("完工单.jpg", b"\xff\xd8\xff fake jpeg")
    with pytest.raises(ApplicationError) as e:
        log_visit(field["g1"], [field["primary"]], kind="project_acceptance", companions=[people["mm1"]],
                  attachments=[photo], acceptance_passed=True, nonconformity_open=True)
    assert "acceptance_passed" in e.value.extra["errors"]
    v = log_visit(field["g1"], [field["primary"]], kind="project_acceptance", companions=[people["mm1"]],
                  attachments=[SimpleUploadedFile("完工单.jpg", b"jpeg")], acceptance_passed=True)
    assert v.attachments.count() == 1


def _reply(mobile, text, message_id=None):
    return sms_receive(sender=mobile, receiver="10086", text=text, message_id=message_id)


def test_reply_answers_the_latest_open_survey(field, log_visit):
    first = log_visit(field["g1"], [field["primary"]])
    second = log_visit(field["g1"], [field["primary"]], started_at=timezone.now() - dt.timedelta(minutes=10))
    msg = _reply("+86 139 0000 0001", "１")
    s2 = second.surveys.get()
    s2.refresh_from_db()
    assert msg.handled and s2.status == "answered" and s2.score == 1
    assert first.surveys.get().status == "sent"
    assert not RepairCase.objects.exists()


def test_unparseable_reply_is_kept_and_survey_stays_open(field, log_visit):
    v = log_visit(field["g1"], [field["primary"]])
    _reply("13900000001", "请问你是谁")
    s = v.surveys.get()
    assert s.status == "sent" and s.replies.get().parsed_score is None
    _reply("13900000001", "2")
    s.refresh_from_db()
    assert s.score == 2 and s.replies.count() == 2


def test_duplicate_inbound_delivery_records_one_reply(field, log_visit):
    """SMS-3: Kannel may deliver the same message twice; one reply, one repair case."""
    log_visit(field["g1"], [field["primary"]])
    _reply("13900000001", "很差", message_id="kannel-77")
    _reply("13900000001", "很差", message_id="kannel-77")
    assert SurveyReply.objects.count() == 1
    assert RepairCase.objects.count() == 1


def test_dissatisfied_reply_opens_repair_case_due_two_working_days_later(field, log_visit, people, monkeypatch):
    """SAT-3: due at the end of the 2nd mainland working day after the reply — across National Day 2025."""
    log_visit(field["g1"], [field["primary"]])
    replied = dt.datetime(2025, 9, 30, 15, 0, tzinfo=CST)  # Tue before the Oct 1–8 holiday
    monkeypatch.setattr(timezone, "now", lambda: replied)
    Survey.objects.update(expires_at=replied + dt.timedelta(hours=72))
    _reply("13900000001", "3 一般")
    case = RepairCase.objects.get()
    assert case.supervisor == people["manager1"] and case.account_manager == people["am1"]
    assert case.branch == field["g1"].unit.branch
    # working days after Sep 30: Oct 9 (Thu), Oct 10 (Fri)
    assert timezone.localtime(case.due_at).date() == dt.date(2025, 10, 10)
    assert timezone.localtime(case.due_at).hour == 23


def test_remedial_visit_with_supervisor_closes_case_and_sends_new_survey(field, log_visit, people):
    """SAT-4: the loop repeats."""
    log_visit(field["g1"], [field["primary"]])
    _reply("13900000001", "4")
    case = RepairCase.objects.get()
    with pytest.raises(ApplicationError):
        log_visit(field["g1"], [field["primary"]], kind="remedial")  # no supervisor
    v = log_visit(field["g1"], [field["primary"]], kind="remedial", companions=[people["manager1"]])
    case.refresh_from_db()
    assert case.status == "closed" and case.closed_by_visit == v
    assert v.surveys.get().status == "sent"
    _reply("13900000001", "1")
    assert v.surveys.get().score == 1


def test_overdue_repair_writes_ledger_once_for_person_and_branch(field, log_visit, people):
    """SAT-5 / PEN-1: overdue → one entry for the AM and one for the branch; rerun writes nothing."""
    log_visit(field["g1"], [field["primary"]])
    _reply("13900000001", "很差")
    RepairCase.objects.update(due_at=timezone.now() - dt.timedelta(minutes=1))
    first = survey_housekeeping()
    assert first["repairs_overdue"] == 1 and first["ledger_entries"] == 2
    again = survey_housekeeping()
    assert again["repairs_overdue"] == 0 and again["ledger_entries"] == 0
    entries = LedgerEntry.objects.filter(rule="missed_repair")
    assert {(e.person_id, e.branch_id) for e in entries} == {(people["am1"].pk, None),
                                                           (None, field["g1"].unit.branch_id)}
    assert all(e.points < Decimal(0) for e in entries)
    assert RepairCase.objects.get().status == "overdue"


def test_unanswered_after_window(field, log_visit):
    v = log_visit(field["g1"], [field["primary"]])
    Survey.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert survey_housekeeping()["surveys_unanswered"] == 1
    assert v.surveys.get().status == "unanswered"
    msg = _reply("13900000001", "1")  # too late: kept as an unhandled inbound message
    assert not msg.handled
    assert survey_housekeeping()["surveys_unanswered"] == 0


def test_survey_window_is_a_policy_value(field, log_visit):
    from portal.policy import override_policy

    with override_policy({"survey.reply_window_hours": 1}):
        v = log_visit(field["g1"], [field["primary"]])
    s = v.surveys.get()
    assert (s.expires_at - s.sent_at) < dt.timedelta(hours=1, minutes=1)
