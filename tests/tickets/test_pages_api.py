"""Ticket pages and API: queues per role, the ticket page, transitions as POSTs (409 when refused), scope."""
from django.urls import reverse

from tickets.models import LedgerEntry, Ticket


def _create_payload(desk):
    return {"group": desk["g1"].pk, "site": desk["branch"].pk, "product": desk["product"].pk, "severity": "major",
            "description": "分部断网", "reporter_name": "王联系", "callback_number": "13900000001"}


def test_agent_opens_a_ticket_through_the_api(desk, people, api_for):
    r = api_for(people["agent1"]).post("/api/v1/tickets/", _create_payload(desk), format="json")
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["status"] == "dispatched"
    assert body["account_manager"] == people["am3"].pk and body["maintenance_manager_username"] == "mm1"
    bad = api_for(people["agent1"]).post("/api/v1/tickets/", {**_create_payload(desk), "severity": "urgent"},
                                         format="json")
    assert bad.status_code == 400 and "severity" in bad.json()


def test_transitions_via_api_and_409_when_refused(desk, people, api_for, open_ticket):
    t = open_ticket()
    mm = api_for(people["mm1"])
    r = mm.post(f"/api/v1/tickets/{t.pk}/arrive/", {}, format="json")
    assert r.status_code == 409 and r.json()["message"]
    assert mm.post(f"/api/v1/tickets/{t.pk}/acknowledge/", {}, format="json").json()["status"] == "acknowledged"
    assert mm.post(f"/api/v1/tickets/{t.pk}/arrive/", {}, format="json").json()["status"] == "on_site"
    r = mm.post(f"/api/v1/tickets/{t.pk}/repair/", {"cause": "line", "repair": "熔接", "am_present": True,
                                                    "notified_am": True}, format="json")
    assert r.json()["status"] == "repaired"
    am = api_for(people["am1"])
    r = am.post(f"/api/v1/tickets/{t.pk}/am-log/", {"cause": "line", "repair": "熔接", "assessment": "满意"},
                format="json")
    assert r.status_code == 200 and r.json()["status"] == "am_logged"
    assert am.post(f"/api/v1/tickets/{t.pk}/close/", {}, format="json").status_code == 409  # rating pending
    detail = am.get(f"/api/v1/tickets/{t.pk}/").json()
    assert [e["action"] for e in detail["events"]][:3] == ["open", "dispatch", "acknowledge"]


def test_mm_of_another_unit_cannot_touch_the_ticket(desk, people, api_for, client_for, open_ticket):
    t = open_ticket()
    other = api_for(people["mm2"])
    assert other.get(f"/api/v1/tickets/{t.pk}/").status_code == 404
    assert other.post(f"/api/v1/tickets/{t.pk}/acknowledge/", {}, format="json").status_code == 404
    assert client_for(people["mm2"]).get(reverse("ticket-detail", args=[t.pk])).status_code == 404
    assert client_for(people["mm2"]).post(reverse("ticket-action", args=[t.pk, "acknowledge"])).status_code == 404
    t.refresh_from_db()
    assert t.status == "dispatched"
    # the AM of the ticket may see it but not acknowledge it (that is the MM's step): 403
    r = api_for(people["am1"]).post(f"/api/v1/tickets/{t.pk}/acknowledge/", {}, format="json")
    assert r.status_code == 403


def test_queues_per_role(desk, people, client_for, open_ticket):
    t = open_ticket()
    assert [x.pk for x in client_for(people["agent1"]).get(reverse("ticket-list")).context["page"]] == [t.pk]
    assert client_for(people["mm1"]).get(reverse("ticket-list")).context["queue"] == "mine"
    assert [x.pk for x in client_for(people["mm1"]).get(reverse("ticket-list")).context["page"]] == [t.pk]
    assert client_for(people["am2"]).get(reverse("ticket-list")).context["page"].paginator.count == 0
    board = client_for(people["manager1"]).get(reverse("ticket-list")).context["board"]
    assert board["open"] == 1
    assert client_for(people["manager2"]).get(reverse("ticket-list")).context["board"]["open"] == 0


def test_ticket_page_shows_three_parties_and_steps(desk, people, client_for, open_ticket):
    t = open_ticket()
    body = client_for(people["mm1"]).get(reverse("ticket-detail", args=[t.pk])).content.decode()
    assert 'id="three-parties"' in body and 'id="act-acknowledge"' in body and 'id="timeline"' in body
    body = client_for(people["am1"]).get(reverse("ticket-detail", args=[t.pk])).content.decode()
    assert 'id="act-acknowledge"' not in body
    r = client_for(people["mm1"]).post(reverse("ticket-action", args=[t.pk, "acknowledge"]))
    assert r.status_code == 302
    t.refresh_from_db()
    assert t.status == "acknowledged"
    r = client_for(people["mm1"]).post(reverse("ticket-action", args=[t.pk, "acknowledge"]), follow=True)
    assert "cannot" in r.content.decode() or "不能" in r.content.decode()


def test_agent_opens_ticket_from_the_page(desk, people, client_for):
    c = client_for(people["agent1"])
    r = c.get(reverse("ticket-pick-group"), {"q": "wahaha"})
    assert [g.pk for g in r.context["groups"]] == [desk["g1"].pk]
    url = reverse("ticket-create", args=[desk["g1"].pk])
    r = c.post(url, {"site": desk["branch"].pk, "product": desk["product"].pk, "severity": "critical",
                     "description": "断网", "reporter_name": "王", "callback_number": "abc"})
    assert r.status_code == 400 and "callback_number" in r.context["form"].errors
    r = c.post(url, {"site": desk["branch"].pk, "product": desk["product"].pk, "severity": "critical",
                     "description": "断网", "reporter_name": "王", "callback_number": "13900000001"})
    t = Ticket.objects.get()
    assert r.status_code == 302 and t.account_manager == people["am3"]
    assert client_for(people["mm1"]).get(reverse("ticket-create", args=[desk["g1"].pk])).status_code == 403


def test_ledger_visible_to_supervisor_and_reversible_by_quality(desk, people, client_for, api_for):
    from tickets.complaints import complaint_record

    complaint_record(group=desk["g1"], by=people["quality1"], kind="complaint", channel="call_centre",
                     description="越级", escalated_unrecorded=True)
    entry = LedgerEntry.objects.get()
    assert api_for(people["manager1"]).get("/api/v1/ledger/").json()["count"] == 1
    assert api_for(people["manager2"]).get("/api/v1/ledger/").json()["count"] == 0
    assert api_for(people["am1"]).get("/api/v1/ledger/").json()["count"] == 1
    assert api_for(people["am1b"]).get("/api/v1/ledger/").json()["count"] == 0
    r = api_for(people["manager1"]).post(f"/api/v1/ledger/{entry.pk}/reverse/", {"reason": "x"}, format="json")
    assert r.status_code in (403, 404)
    r = api_for(people["quality1"]).post(f"/api/v1/ledger/{entry.pk}/reverse/", {"reason": "已核实非客户经理责任"},
                                         format="json")
    assert r.status_code == 200 and r.json()["reversed_at"]
    body = client_for(people["manager1"]).get(reverse("ledger")).content.decode()
    assert "已核实非客户经理责任" in body


def test_complaints_api_and_page(desk, people, api_for, client_for):
    api = api_for(people["am1"])
    r = api.post("/api/v1/complaints/", {"group": desk["g1"].pk, "kind": "complaint", "channel": "visit",
                                         "description": "发票问题"}, format="json")
    assert r.status_code == 201, r.content
    cid = r.json()["id"]
    assert api.post(f"/api/v1/complaints/{cid}/close/", {}, format="json").status_code == 409
    api.post(f"/api/v1/complaints/{cid}/answer/", {"text": "已重开"}, format="json")
    assert api.post(f"/api/v1/complaints/{cid}/close/", {}, format="json").status_code == 409
    api.post(f"/api/v1/complaints/{cid}/callback/", {"text": "满意"}, format="json")
    assert api.post(f"/api/v1/complaints/{cid}/close/", {}, format="json").json()["status"] == "closed"
    assert api_for(people["am2"]).get(f"/api/v1/complaints/{cid}/").status_code == 404
    assert client_for(people["am1"]).get(reverse("complaint-list")).status_code == 200
    assert client_for(people["am1"]).get(reverse("complaint-create")).status_code == 200


def test_schema_is_valid_and_documents_transitions(people, client_for):
    from django.core.management import call_command

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", "/dev/null")
    schema = client_for(people["am1"]).get("/api/schema/").content.decode()
    for path in ("/api/v1/tickets/{id}/acknowledge/", "/api/v1/tickets/{id}/am-log/", "/api/v1/complaints/",
                 "/api/v1/ledger/", "/api/v1/visits/", "/api/v1/groups/"):
        assert path in schema, path
    # issue 12 item 14: Kannel's callbacks are not in the integrators' schema
    assert "/api/v1/sms/" not in schema
