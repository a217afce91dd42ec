"""Visit pages and API: the same service behind both; scoped like the customer file (ORG-3)."""
import datetime as dt

from django.urls import reverse
from django.utils import timezone

from visits.models import RepairCase, Survey, VisitLog


def _form(field, **extra):
    data = {"kind": "routine", "contacts": [field["primary"].pk, field["boss"].pk], "purposes": ["relationship"],
            "started_at": (timezone.localtime() - dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
            "notes": "了解扩容需求", "next_visit_on": (timezone.localdate() + dt.timedelta(days=30)).isoformat()}
    data.update(extra)
    return data


def test_am_logs_a_visit_from_the_page(field, people, client_for, django_capture_on_commit_callbacks):
    c = client_for(people["am1"])
    url = reverse("visit-create", args=[field["g1"].pk])
    assert c.get(url).status_code == 200
    r = c.post(url, _form(field, next_visit_on=""))
    assert r.status_code == 400 and "next_visit_on" in r.context["form"].errors
    with django_capture_on_commit_callbacks(execute=True):
        r = c.post(url, _form(field))
    visit = VisitLog.objects.get()
    assert r.status_code == 302 and r.url == reverse("visit-detail", args=[visit.pk])
    assert visit.surveys.count() == 2
    page = c.get(r.url).content.decode()
    assert "了解扩容需求" in page and 'id="visit-surveys"' in page


def test_editing_a_visit_keeps_history(field, people, client_for, log_visit):
    v = log_visit(field["g1"], [field["primary"]])
    c = client_for(people["am1"])
    form = c.get(reverse("visit-edit", args=[v.pk])).context["form"]
    data = {**{k: v for k, v in form.initial.items() if v not in (None, "")}, "notes": "补充：客户要求报价"}
    data["next_visit_on"] = data["next_visit_on"].isoformat()
    data.pop("ended_at", None)
    r = c.post(reverse("visit-edit", args=[v.pk]), data)
    assert r.status_code == 302, r.context["form"].errors if r.context else ""
    v.refresh_from_db()
    assert v.notes == "补充：客户要求报价"
    notes = list(v.history.order_by("-history_date").values_list("notes", flat=True))
    assert notes[0] == "补充：客户要求报价" and "例行走访" in notes[1:]
    # someone else's visit cannot be edited
    assert client_for(people["leader1"]).get(reverse("visit-edit", args=[v.pk])).status_code == 404


def test_visit_scope(field, people, client_for, api_for, log_visit):
    v = log_visit(field["g1"], [field["primary"]])
    assert client_for(people["am2"]).get(reverse("visit-detail", args=[v.pk])).status_code == 404
    assert client_for(people["leader1"]).get(reverse("visit-detail", args=[v.pk])).status_code == 200
    assert api_for(people["am2"]).get(f"/api/v1/visits/{v.pk}/").status_code == 404
    assert api_for(people["am2"]).get("/api/v1/visits/").json()["count"] == 0
    assert api_for(people["manager1"]).get("/api/v1/visits/").json()["count"] == 1
    assert api_for(people["am2"]).get("/api/v1/surveys/").json()["count"] == 0
    assert client_for(people["mm2"]).get(reverse("visit-create", args=[field["g1"].pk])).status_code == 403


def test_api_create_triggers_surveys_like_the_page(field, people, api_for):
    payload = {"group": field["g1"].pk, "contacts": [field["primary"].pk], "kind": "routine",
               "purposes": ["opportunity"], "notes": "API 走访",
               "visited_at": (timezone.now() - dt.timedelta(hours=1)).isoformat(),
               "next_visit_on": (timezone.localdate() + dt.timedelta(days=10)).isoformat()}
    r = api_for(people["am1"]).post("/api/v1/visits/", payload, format="json")
    assert r.status_code == 201, r.content
    assert r.json()["surveys_queued"] == 1
    assert Survey.objects.filter(visit_id=r.json()["id"], mobile="13900000001").exists()
    bad = api_for(people["am1"]).post("/api/v1/visits/", {**payload, "next_visit_on": "2000-01-01"}, format="json")
    assert bad.status_code == 400 and "next_visit_on" in bad.json()["errors"]
    other = api_for(people["am2"]).post("/api/v1/visits/", payload, format="json")
    assert other.status_code == 403


def test_manager_sees_repair_case_on_home_and_list(field, people, client_for, log_visit, api_for):
    from portal.sms.services import sms_receive

    log_visit(field["g1"], [field["primary"]])
    sms_receive(sender="13900000001", text="很差")
    case = RepairCase.objects.get()
    home = client_for(people["manager1"]).get("/").content.decode()
    assert 'id="panel-repairs"' in home and field["g1"].name in home
    page = client_for(people["manager1"]).get(reverse("repair-list")).content.decode()
    assert timezone.localtime(case.due_at).strftime("%Y-%m-%d") in page
    assert client_for(people["manager2"]).get(reverse("repair-list")).context["page"].paginator.count == 0
    r = api_for(people["manager1"]).get("/api/v1/repairs/").json()
    assert r["count"] == 1 and r["results"][0]["score"] == 4
    assert api_for(people["manager2"]).get(f"/api/v1/repairs/{case.pk}/").status_code == 404
    # the AM's shortcut preselects the supervisor for the remedial visit
    r = client_for(people["am1"]).get(reverse("repair-revisit", args=[case.pk]))
    assert r.status_code == 302 and "kind=remedial" in r.url and f"companion={people['manager1'].pk}" in r.url


def test_compliance_and_plan_pages(field, people, client_for, log_visit):
    log_visit(field["g1"], [field["primary"]])
    r = client_for(people["am1"]).get(reverse("visit-compliance"))
    assert r.status_code == 200
    s = r.context["summary"]
    assert s["done"] >= 2 and s["total"] == s["done"] + s["due"] + s["overdue"]
    r = client_for(people["manager1"]).get(reverse("visit-compliance"))
    assert {row["am"].username for row in r.context["per_am"]} >= {"am1"}
    r = client_for(people["am1"]).get(reverse("work-plan"))
    assert r.status_code == 200
    r = client_for(people["am1"]).post(reverse("work-plan"), {"group": field["g1"].pk,
                                                             "planned_on": timezone.localdate().isoformat()})
    assert r.status_code == 302
    assert client_for(people["manager1"]).get(reverse("work-plan")).status_code == 403
    home = client_for(people["am1"]).get("/").content.decode()
    assert 'id="panel-am-visits"' in home
    detail = client_for(people["am1"]).get(reverse("group-detail", args=[field["g1"].pk])).content.decode()
    assert 'id="panel-group-visits"' in detail


def test_survey_list(field, people, client_for, log_visit):
    from portal.sms.services import sms_receive

    log_visit(field["g1"], [field["primary"]])
    sms_receive(sender="13900000001", text="不知道")
    body = client_for(people["am1"]).get(reverse("survey-list")).content.decode()
    assert "不知道" in body
