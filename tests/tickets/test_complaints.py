"""CMP-1..4."""
import datetime as dt

import pytest
from django.utils import timezone

from portal.exceptions import ApplicationError, TransitionError
from tickets.complaints import (
    complaint_answer,
    complaint_callback,
    complaint_close,
    complaint_escalate,
    complaint_record,
)
from tickets.models import LedgerEntry


def test_complaint_due_times_and_callback_before_close(book, people):
    now = timezone.now()
    c = complaint_record(group=book["g1"], by=people["am1"], kind="complaint", channel="visit",
                         description="账单有误", received_at=now)
    assert c.answer_due == now + dt.timedelta(hours=24) and c.answer_max_due == now + dt.timedelta(hours=72)
    assert c.on_spot_due == now + dt.timedelta(hours=1)
    with pytest.raises(TransitionError):
        complaint_close(complaint=c, by=people["am1"])
    c = complaint_answer(complaint=c, by=people["am1"], answer="已退费")
    assert c.answered_in_time
    with pytest.raises(TransitionError):
        complaint_close(complaint=c, by=people["am1"])  # CMP-3: no callback yet
    complaint_callback(complaint=c, by=people["am1"], note="客户认可")
    c = complaint_close(complaint=c, by=people["am1"])
    assert c.status == "closed"


def test_consultation_agreed_time_within_24h(book, people):
    now = timezone.now()
    with pytest.raises(ApplicationError):
        complaint_record(group=book["g1"], by=people["am1"], kind="consultation", channel="phone",
                         description="资费咨询", received_at=now, agreed_answer_at=now + dt.timedelta(hours=30))
    c = complaint_record(group=book["g1"], by=people["am1"], kind="consultation", channel="phone",
                         description="资费咨询", received_at=now, agreed_answer_at=now + dt.timedelta(hours=5))
    assert c.answer_due == now + dt.timedelta(hours=5)


def test_resolved_on_the_spot(book, people):
    c = complaint_record(group=book["g1"], by=people["am1"], kind="complaint", channel="visit",
                         description="网速慢", resolved_on_spot=True, answer="现场重启设备")
    assert c.status == "answered" and c.resolved_on_spot


def test_unrecorded_escalated_complaint_costs_20_points_once(book, people):
    """CMP-4/PEN-1."""
    c = complaint_record(group=book["g1"], by=people["quality1"], kind="complaint", channel="call_centre",
                         description="越级投诉", escalated_unrecorded=True)
    e = LedgerEntry.objects.get(rule="unrecorded_complaint")
    assert e.person == people["am1"] and e.points == -20
    complaint_escalate(complaint=c, by=people["quality1"], unrecorded=True)
    assert LedgerEntry.objects.filter(rule="unrecorded_complaint").count() == 1
