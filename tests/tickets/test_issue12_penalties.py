"""Issue 12 item 3: who may set the fields of a complaint that write a penalty, and how far back
(CMP-4, PEN-1, policy complaint.received_backdate_hours — CFG-1)."""
from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from portal.policy import override_policy
from tickets.models import Complaint, LedgerEntry

pytestmark = pytest.mark.django_db


def _body(group, **extra):
    return {"group": group.pk, "kind": "complaint", "channel": "call_centre", "description": "越级投诉", **extra}


def test_issue12_item3_agent_cannot_write_a_penalty(desk, people, api_for):
    """issue 12 item 3: an agent's complaint with escalated_unrecorded=true is 403; no ledger entry."""
    r = api_for(people["agent1"]).post("/api/v1/complaints/", _body(desk["g1"], escalated_unrecorded=True),
                                       format="json")
    assert r.status_code == 403, r.content
    assert "escalated_unrecorded" in r.json()["errors"]
    assert not Complaint.objects.exists() and not LedgerEntry.objects.exists()
    # nor an AM escalating an existing complaint as unrecorded
    r = api_for(people["am1"]).post("/api/v1/complaints/", _body(desk["g1"], escalated=True), format="json")
    assert r.status_code == 201, r.content
    r = api_for(people["am1"]).post(f"/api/v1/complaints/{r.json()['id']}/escalate/", {"unrecorded": True},
                                    format="json")
    assert r.status_code == 403
    assert not LedgerEntry.objects.exists()


def test_issue12_item3_quality_desk_sets_it_in_the_current_month(desk, people, api_for):
    """issue 12 item 3: the quality desk may; the entry is booked in this month."""
    r = api_for(people["quality1"]).post("/api/v1/complaints/", _body(desk["g1"], escalated_unrecorded=True),
                                         format="json")
    assert r.status_code == 201, r.content
    e = LedgerEntry.objects.get()
    assert e.points == -20 and e.month == timezone.localdate().replace(day=1)


@pytest.mark.parametrize("received_at", ["2024-03-01T10:00:00+08:00", "0001-01-01T00:00:00+08:00"])
def test_issue12_item3_no_complaint_in_a_month_long_gone(desk, people, api_for, received_at):
    """issue 12 item 3: a received_at before the back-dating window is 400 naming the field — for
    every role, the quality desk too."""
    for who in ("agent1", "quality1"):
        r = api_for(people[who]).post("/api/v1/complaints/", _body(desk["g1"], received_at=received_at),
                                      format="json")
        assert r.status_code == 400, (who, r.content)
        body = r.json()
        assert "received_at" in body.get("errors", body), body  # the service's or the serializer's 400
    assert not Complaint.objects.exists() and not LedgerEntry.objects.exists()


def test_issue12_item3_backdating_window_is_a_policy_value(desk, people, api_for):
    """issue 12 item 3 / CFG-1: 30 hours back passes at the default (72 h) and fails at 24 h; the
    future is refused."""
    api = api_for(people["agent1"])
    when = (timezone.now() - dt.timedelta(hours=30)).isoformat()
    with override_policy({"complaint.received_backdate_hours": 24}):
        assert api.post("/api/v1/complaints/", _body(desk["g1"], received_at=when), format="json").status_code == 400
    assert api.post("/api/v1/complaints/", _body(desk["g1"], received_at=when), format="json").status_code == 201
    future = (timezone.now() + dt.timedelta(hours=2)).isoformat()
    assert api.post("/api/v1/complaints/", _body(desk["g1"], received_at=future), format="json").status_code == 400
