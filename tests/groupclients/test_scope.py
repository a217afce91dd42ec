"""ORG-3/ORG-4 on the customer file: pages and API see exactly the scope, and no more."""
import pytest
from django.urls import reverse

from groupclients.models import GroupCustomer
from groupclients.selectors import groups_in_scope
from portal.models import AuditEvent


def names(user):
    return set(groups_in_scope(user).values_list("name", flat=True))


@pytest.mark.parametrize("who, expected", [
    ("am1", {"杭州娃哈哈集团"}),
    ("am3", {"杭州娃哈哈集团", "滨江电子厂"}),  # local AM of g1's branch site (GC-5)
    ("am2", {"宁波港集团"}),
    ("mm1", {"杭州娃哈哈集团", "西湖中学"}),  # the groups of their unit
    ("leader1", {"杭州娃哈哈集团", "西湖中学"}),
    ("manager1", {"杭州娃哈哈集团", "滨江电子厂", "西湖中学"}),
    ("manager2", {"宁波港集团"}),
    ("norole", set()),
])
def test_group_scope_per_role(book, people, who, expected):
    assert names(people[who]) == expected


@pytest.mark.parametrize("who", ["agent1", "analyst1", "quality1", "admin"])
def test_province_roles_see_all_groups(book, people, who):
    assert len(names(people[who])) == 4


def test_am_cannot_reach_other_am_groups_page_or_api(book, people, client_for, api_for):
    g2 = book["g2"]
    c = client_for(people["am1"])
    assert c.get(reverse("group-detail", args=[g2.pk])).status_code == 404
    assert c.get(reverse("group-edit", args=[g2.pk])).status_code == 404
    assert c.get(reverse("member-list", args=[g2.pk])).status_code == 404
    assert c.post(reverse("group-status", args=[g2.pk]), {"to": "churned"}).status_code == 404
    api = api_for(people["am1"])
    assert api.get(f"/api/v1/groups/{g2.pk}/").status_code == 404
    assert api.patch(f"/api/v1/groups/{g2.pk}/", {"name": "x"}, format="json").status_code == 404
    assert api.get(f"/api/v1/groups/{g2.pk}/contacts/").status_code == 404
    assert api.get(f"/api/v1/contacts/{book['c2'].pk}/").status_code == 404
    listed = {g["name"] for g in api.get("/api/v1/groups/").json()["results"]}
    assert listed == {"杭州娃哈哈集团"}
    assert "宁波港集团" not in c.get(reverse("group-list")).content.decode()
    g2.refresh_from_db()
    assert g2.name == "宁波港集团" and g2.status == "active"


def test_read_only_roles_cannot_edit(book, people, client_for, api_for):
    g1 = book["g1"]
    for who in ("analyst1", "agent1", "mm1", "quality1"):
        assert client_for(people[who]).get(reverse("group-detail", args=[g1.pk])).status_code == 200
        assert client_for(people[who]).get(reverse("group-edit", args=[g1.pk])).status_code == 404, who
        r = api_for(people[who]).patch(f"/api/v1/groups/{g1.pk}/", {"name": "x"}, format="json")
        assert r.status_code == 403, who
    g1.refresh_from_db()
    assert g1.name == "杭州娃哈哈集团"


def test_agent_sees_no_financial_data(book, people, client_for, api_for):
    body = api_for(people["agent1"]).get(f"/api/v1/groups/{book['g1'].pk}/").json()
    assert "annual_revenue" not in body and "telecom_budget" not in body
    body = api_for(people["am1"]).get(f"/api/v1/groups/{book['g1'].pk}/").json()
    assert body["annual_revenue"] == "1000.00"
    page = client_for(people["agent1"]).get(reverse("group-detail", args=[book["g1"].pk])).content.decode()
    assert "1000.00" not in page
    assert client_for(people["agent1"]).get(reverse("export", args=["groups"])).status_code == 403


def test_contact_mobile_masked_for_non_owner_and_reveal_is_audited(book, people, api_for, client_for):
    c1 = book["c1"]
    own = api_for(people["am1"]).get(f"/api/v1/contacts/{c1.pk}/").json()
    assert own["mobile"] == "13812345678" and own["masked"] is False
    other = api_for(people["leader1"]).get(f"/api/v1/contacts/{c1.pk}/").json()
    assert other["mobile"] == "138****5678" and other["masked"] is True
    listed = api_for(people["manager1"]).get(f"/api/v1/groups/{book['g1'].pk}/contacts/").json()["results"]
    assert listed[0]["mobile"] == "138****5678"
    page = client_for(people["leader1"]).get(reverse("group-detail", args=[book["g1"].pk])).content.decode()
    assert "138****5678" in page and "13812345678" not in page
    r = client_for(people["leader1"]).post(reverse("contact-reveal", args=[c1.pk]))
    assert r.json()["mobile"] == "13812345678"
    ev = AuditEvent.objects.get(action="reveal")
    assert ev.username == "leader1" and ev.target_id == str(c1.pk)
    # a contact outside the scope cannot be revealed at all
    assert client_for(people["am2"]).post(reverse("contact-reveal", args=[c1.pk])).status_code == 404


def test_data_quality_page_supervisors_only(book, people, client_for):
    assert client_for(people["am1"]).get(reverse("data-quality")).status_code == 403
    r = client_for(people["manager1"]).get(reverse("data-quality"))
    assert r.status_code == 200
    body = r.content.decode()
    assert "滨江电子厂" in body and "宁波港集团" not in body
    assert r.context["counts"]["total"] == 3


def test_api_create_respects_scope(book, people, api_for, org):
    from groupclients.models import Industry, OrganisationType

    payload = {"name": "新客户", "unit": org["u11"].pk, "account_manager": people["am1"].pk,
               "org_type": OrganisationType.objects.first().pk, "industry": Industry.objects.first().pk}
    r = api_for(people["am1"]).post("/api/v1/groups/", payload, format="json")
    assert r.status_code == 201, r.content
    assert r.json()["status"] == "prospect" and r.json()["code"]
    payload["account_manager"] = people["am2"].pk
    r = api_for(people["am1"]).post("/api/v1/groups/", payload, format="json")
    assert r.status_code == 403
    assert GroupCustomer.objects.filter(name="新客户").count() == 1
