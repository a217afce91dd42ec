"""Issue 12 item 4 (ORG-4): a ticket's callback number is personal data — masked for non-owners in
the API and on the ticket page, revealed with an audit record."""
import pytest
from django.urls import reverse

from portal.models import AuditEvent

NUMBER, MASKED = "13900000001", "139****0001"


@pytest.fixture
def ticket(open_ticket, people):
    return open_ticket(by=people["agent1"])  # HQ site: am1 / mm1 work it


@pytest.mark.parametrize("who", ["manager1", "leader1", "quality1", "analyst1", "admin"])
def test_issue12_item4_callback_masked_for_non_owners_in_api_and_page(ticket, people, api_for, client_for, who):
    """issue 12 item 4: supervisors, quality, analysts see 139****0001 in the API and on the page."""
    api = api_for(people[who])
    detail = api.get(f"/api/v1/tickets/{ticket.pk}/").json()
    assert detail["callback_number"] == MASKED
    listed = {t["id"]: t for t in api.get("/api/v1/tickets/", {"queue": "all"}).json()["results"]}
    assert listed[ticket.pk]["callback_number"] == MASKED
    page = client_for(people[who]).get(reverse("ticket-detail", args=[ticket.pk])).content.decode()
    assert NUMBER not in page and MASKED in page


@pytest.mark.parametrize("who", ["agent1", "am1", "mm1"])
def test_issue12_item4_callback_in_clear_for_those_who_work_the_ticket(ticket, people, api_for, client_for, who):
    """issue 12 item 4: the opener and the local AM/MM it was dispatched to need the number to call back."""
    assert api_for(people[who]).get(f"/api/v1/tickets/{ticket.pk}/").json()["callback_number"] == NUMBER
    page = client_for(people[who]).get(reverse("ticket-detail", args=[ticket.pk])).content.decode()
    assert NUMBER in page and "reveal-callback" not in page


def test_issue12_item4_transition_answer_goes_through_the_masking(ticket, people, api_for):
    """issue 12 item 4: a transition's answer is serialized with the caller (in clear for the MM who
    works it); a serializer without a caller masks."""
    from tickets.api.serializers import TicketSerializer

    r = api_for(people["mm1"]).post(f"/api/v1/tickets/{ticket.pk}/acknowledge/", {}, format="json")
    assert r.status_code == 200 and r.json()["callback_number"] == NUMBER
    assert TicketSerializer(ticket).data["callback_number"] == MASKED


def test_issue12_item4_reveal_is_audit_logged_api_and_page(ticket, people, api_for, client_for):
    """issue 12 item 4: reveal returns the number and writes an audit event, like a contact's reveal."""
    before = AuditEvent.objects.filter(action=AuditEvent.Action.REVEAL).count()
    r = api_for(people["manager1"]).post(f"/api/v1/tickets/{ticket.pk}/reveal/")
    assert r.status_code == 200 and r.json() == {"callback_number": NUMBER}
    r = client_for(people["quality1"]).post(reverse("ticket-reveal", args=[ticket.pk]))
    assert r.status_code == 200 and r.json() == {"callback_number": NUMBER}
    events = AuditEvent.objects.filter(action=AuditEvent.Action.REVEAL).order_by("pk")
    assert events.count() == before + 2
    assert {e.actor.username for e in events[before:]} == {"manager1", "quality1"}
    assert client_for(people["quality1"]).get(reverse("ticket-reveal", args=[ticket.pk])).status_code == 405


def test_issue12_item4_reveal_respects_scope(ticket, people, api_for):
    """issue 12 item 4: a user who cannot see the ticket cannot reveal its number (404)."""
    r = api_for(people["am2"]).post(f"/api/v1/tickets/{ticket.pk}/reveal/")
    assert r.status_code in (403, 404)


def test_issue12_item9_ticket_reveals_are_rate_limited_like_contact_reveals(ticket, people, api_for):
    """A ticket's callback number is personal data too: the reveal limit (security.reveals_per_hour) holds."""
    from portal.policy import override_policy

    api = api_for(people["quality1"])
    with override_policy({"security.reveals_per_hour": 2}):
        codes = [api.post(f"/api/v1/tickets/{ticket.pk}/reveal/").status_code for _ in range(3)]
    assert codes[:2] == [200, 200] and codes[2] == 429
