"""The satisfaction loop end to end through a real Kannel (SAT-1..4, SMS-1..3): bearerbox, smsbox and
fakesmsc on loopback ports; the portal is the live server Kannel's get-url calls."""
import datetime as dt

import pytest
from django.utils import timezone

from portal.workdays import deadline_end_of_nth_workday
from tests.conftest import wait_for as _wait
from visits.models import RepairCase, Survey

pytestmark = [pytest.mark.kannel]




def test_visit_survey_reply_repair_and_remedial_visit_through_kannel(kannel, field, people, log_visit):
    started = timezone.now()
    log_visit(field["g1"], [field["primary"]])  # transactional: on commit the outbox flush sends it
    got = kannel.wait_received(1, timeout=20)
    survey_sms = [m for m in got if m.receiver.endswith("13900000001")]
    assert survey_sms, got
    assert "1 非常满意" in survey_sms[0].text and "4 很差" in survey_sms[0].text  # Chinese intact (UCS-2)

    kannel.send_mo("13900000001", "10086", "一般")  # the contact's phone answers
    assert _wait(lambda: RepairCase.objects.exists()), kannel.log("smsbox")
    survey = Survey.objects.get(mobile="13900000001")
    assert survey.status == "answered" and survey.score == 3
    case = RepairCase.objects.get()
    assert case.supervisor == people["manager1"]
    expected = deadline_end_of_nth_workday(survey.answered_at, 2)
    assert case.due_at == expected and case.due_at > started + dt.timedelta(days=1)

    log_visit(field["g1"], [field["primary"]], kind="remedial", companions=[people["manager1"]])
    case.refresh_from_db()
    assert case.status == "closed"
    got = kannel.wait_received(2, timeout=20)
    assert len([m for m in got if m.receiver.endswith("13900000001")]) >= 2  # the loop repeats (SAT-4)
