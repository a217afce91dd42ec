"""Issue 12 item 10 (visits): a visit dated 0001-01-01 and any user as a visit companion."""
from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.factories import UserFactory
from visits.models import VisitLog

pytestmark = pytest.mark.django_db


def _body(field, **extra):
    return {"group": field["g1"].pk, "contacts": [field["primary"].pk], "kind": "routine", "notes": "走访", "purposes": ["relationship"],
            "visited_at": (timezone.now() - dt.timedelta(hours=1)).isoformat(),
            "next_visit_on": (timezone.localdate() + dt.timedelta(days=20)).isoformat(), **extra}


@pytest.mark.parametrize("visited_at", ["0001-01-01T00:00:00+08:00", "2024-01-05T09:00:00+08:00"])
def test_issue12_item10_visit_outside_the_backdating_window(field, people, api_for, visited_at):
    """issue 12 item 10: a visit dated 0001-01-01 (or older than visit.log_backdate_days) is 400."""
    r = api_for(people["am1"]).post("/api/v1/visits/", _body(field, visited_at=visited_at), format="json")
    assert r.status_code == 400, r.content
    assert not VisitLog.objects.exists()


def test_issue12_item10_next_visit_in_9999(field, people, api_for):
    r = api_for(people["am1"]).post("/api/v1/visits/", _body(field, next_visit_on="9999-12-31"), format="json")
    assert r.status_code == 400 and "next_visit_on" in r.json()["errors"], r.content


def test_issue12_item10_companion_is_a_supervisor_or_mm_of_the_branch(field, people, org, api_for):
    """issue 12 item 10: an agent, an AM, or an MM of another branch is no companion; mm1 is."""
    mm_elsewhere = UserFactory(username="mm_nb", unit=org["u21"], roles=["mm"])
    api = api_for(people["am1"])
    for who in (people["agent1"], people["am2"], mm_elsewhere, people["norole"]):
        r = api.post("/api/v1/visits/", _body(field, companions=[who.pk]), format="json")
        assert r.status_code == 400 and "companions" in r.json()["errors"], (who.username, r.content)
    assert not VisitLog.objects.exists()
    r = api.post("/api/v1/visits/", _body(field, companions=[people["mm1"].pk, people["manager1"].pk]),
                 format="json")
    assert r.status_code == 201, r.content
