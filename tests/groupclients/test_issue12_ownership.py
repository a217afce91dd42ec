"""Issue 12 items 2, 10 and 11: who may name which unit, AM, site, counterpart or group (ORG-3, GC-2,
GC-5, CT-4), values nobody checked, and the scope of credit orders and alerts through a site."""
from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from groupclients.billing.models import BillingAccount, CreditOrder, RetentionAlert
from groupclients.models import Contact, GroupCustomer, Member, Site
from tests.factories import MemberFactory, SiteFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def g3_site(book, org, people):
    return SiteFactory(group=book["g3"], name="滨江总部", unit=org["u12"], local_am=people["am3"],
                       local_mm=people["mm1"], is_headquarters=True)


# ---- item 2: taking over and handing on groups ----------------------------------------------
def test_issue12_item2_am_cannot_move_own_site_into_another_group(book, people, api_for, g3_site):
    """issue 12 item 2: PATCH /sites/<mine>/ {"group": someone else's, "local_am": me} is refused, and
    the AM still cannot read that group."""
    api = api_for(people["am3"])
    r = api.patch(f"/api/v1/sites/{g3_site.pk}/", {"group": book["g2"].pk, "local_am": people["am3"].pk},
                  format="json")
    assert r.status_code == 400, r.content
    assert "group" in r.json()["errors"]
    g3_site.refresh_from_db()
    assert g3_site.group_id == book["g3"].pk
    assert api.get(f"/api/v1/groups/{book['g2'].pk}/").status_code == 404
    # the same PATCH naming the site's own group is fine
    r = api.patch(f"/api/v1/sites/{g3_site.pk}/", {"group": book["g3"].pk, "name": "滨江总部二"}, format="json")
    assert r.status_code == 200, r.content


def test_issue12_item2_am_cannot_hand_a_group_to_another_branch(book, people, org, api_for):
    """issue 12 item 2: an AM's PATCH of account_manager / unit is 403; nothing changes."""
    g1 = book["g1"]
    api = api_for(people["am1"])
    r = api.patch(f"/api/v1/groups/{g1.pk}/", {"account_manager": people["am2"].pk, "unit": org["u21"].pk},
                  format="json")
    assert r.status_code == 403, r.content
    assert "supervisor" in r.json()["message"] or "leader" in r.json()["message"]
    g1.refresh_from_db()
    assert (g1.account_manager_id, g1.unit_id) == (people["am1"].pk, org["u11"].pk)
    # the local AM of one of g1's sites cannot make themselves its owner either
    r = api_for(people["am3"]).patch(f"/api/v1/groups/{g1.pk}/", {"account_manager": people["am3"].pk},
                                     format="json")
    assert r.status_code == 403
    assert GroupCustomer.objects.get(pk=g1.pk).account_manager_id == people["am1"].pk


def test_issue12_item2_leader_hands_on_only_within_their_unit(book, people, org, api_for):
    """issue 12 item 2: a group leader may give a group of their unit to another AM of the unit, but not
    move it to another branch or give it to an AM elsewhere (400 naming the field)."""
    g1, api = book["g1"], api_for(people["leader1"])
    r = api.patch(f"/api/v1/groups/{g1.pk}/", {"unit": org["u21"].pk, "account_manager": people["am2"].pk},
                  format="json")
    assert r.status_code == 400 and "unit" in r.json()["errors"], r.content
    r = api.patch(f"/api/v1/groups/{g1.pk}/", {"account_manager": people["am2"].pk}, format="json")
    assert r.status_code == 400 and "account_manager" in r.json()["errors"]
    g1.refresh_from_db()
    assert (g1.account_manager_id, g1.unit_id) == (people["am1"].pk, org["u11"].pk)
    r = api.patch(f"/api/v1/groups/{g1.pk}/", {"account_manager": people["am1b"].pk}, format="json")
    assert r.status_code == 200, r.content
    assert GroupCustomer.objects.get(pk=g1.pk).account_manager_id == people["am1b"].pk


def test_issue12_item2_leader_cannot_pull_a_group_in_through_its_site(book, people, org, api_for):
    """issue 12 item 2: a leader of u12 may write g1 (it has a site in u12) but not change its unit/AM."""
    leader = UserFactory(username="leader12", unit=org["u12"], roles=["leader"])
    r = api_for(leader).patch(f"/api/v1/groups/{book['g1'].pk}/",
                              {"unit": org["u12"].pk, "account_manager": people["am3"].pk}, format="json")
    assert r.status_code == 403, r.content
    assert GroupCustomer.objects.get(pk=book["g1"].pk).unit_id == org["u11"].pk


def test_issue12_item2_am_creates_groups_only_in_own_unit(people, org, api_for, client_for):
    """issue 12 item 2: an AM creating a group in another branch (API and page) is refused."""
    body = {"name": "宁波新集团", "grade": "C", "unit": org["u21"].pk, "account_manager": people["am1"].pk}
    r = api_for(people["am1"]).post("/api/v1/groups/", body, format="json")
    assert r.status_code == 403, r.content
    r = client_for(people["am1"]).post(reverse("group-create"), body)
    assert r.status_code == 400
    assert not GroupCustomer.objects.filter(name="宁波新集团").exists()
    # their own unit is fine
    r = api_for(people["am1"]).post("/api/v1/groups/", {**body, "unit": org["u11"].pk}, format="json")
    assert r.status_code == 201, r.content


def test_issue12_item2_edit_form_offers_and_accepts_only_values_in_scope(book, people, org, client_for):
    """issue 12 item 2: the HTML edit form of an AM offers only the group's own unit and AM, and a
    posted other unit / AM is refused with 400 and changes nothing."""
    g1, c = book["g1"], client_for(people["am1"])
    url = reverse("group-edit", args=[g1.pk])
    form = c.get(url).context["form"]
    assert list(form.fields["unit"].queryset.values_list("pk", flat=True)) == [org["u11"].pk]
    assert list(form.fields["account_manager"].queryset.values_list("pk", flat=True)) == [people["am1"].pk]
    data = {f: getattr(g1, f) or "" for f in ("name", "address", "phone", "employee_count", "annual_revenue",
                                              "grade")}
    data.update(org_type=g1.org_type_id, industry=g1.industry_id, unit=org["u21"].pk,
                account_manager=people["am2"].pk)
    r = c.post(url, data)
    assert r.status_code == 400
    assert {"unit", "account_manager"} <= set(r.context["form"].errors)
    g1.refresh_from_db()
    assert (g1.account_manager_id, g1.unit_id) == (people["am1"].pk, org["u11"].pk)


def test_issue12_item2_local_pair_is_staff_of_the_sites_branch(book, people, api_for):
    """issue 12 item 2 / GC-5: a site's local AM must work in the site's branch."""
    hq = book["g1"].sites.get(is_headquarters=True)
    r = api_for(people["am1"]).patch(f"/api/v1/sites/{hq.pk}/", {"local_am": people["am2"].pk}, format="json")
    assert r.status_code == 400 and "local_am" in r.json()["errors"], r.content
    assert Site.objects.get(pk=hq.pk).local_am_id == people["am1"].pk


def test_issue12_item2_member_moves_only_to_a_writable_group(book, people, api_for):
    """issue 12 item 2: PATCH /members/<mine>/ {"group": someone else's} is 403."""
    m = MemberFactory(group=book["g1"])
    r = api_for(people["am1"]).patch(f"/api/v1/members/{m.pk}/", {"group": book["g2"].pk}, format="json")
    assert r.status_code == 403, r.content
    assert Member.objects.get(pk=m.pk).group_id == book["g1"].pk


def test_issue12_item2_counterpart_from_the_groups_branch(book, people, api_for):
    """issue 12 item 2 / CT-4: a counterpart from another branch is refused."""
    c1 = book["c1"]
    r = api_for(people["am1"]).patch(f"/api/v1/contacts/{c1.pk}/", {"counterpart": people["am2"].pk},
                                     format="json")
    assert r.status_code == 400 and "counterpart" in r.json()["errors"], r.content
    assert Contact.objects.get(pk=c1.pk).counterpart_id == people["am1"].pk


# ---- item 10: values nobody checked --------------------------------------------------------
def test_issue12_item10_negative_budget_and_birthday_in_9999(book, people, api_for):
    """issue 12 item 10: a negative telecom budget and a birthday in 9999 are 400 with the field named."""
    api = api_for(people["am1"])
    r = api.patch(f"/api/v1/groups/{book['g1'].pk}/", {"telecom_budget": "-5"}, format="json")
    assert r.status_code == 400 and "telecom_budget" in r.json(), r.content
    r = api.patch(f"/api/v1/contacts/{book['c1'].pk}/", {"birthday": "9999-01-01"}, format="json")
    assert r.status_code == 400 and "birthday" in r.json(), r.content
    assert GroupCustomer.objects.get(pk=book["g1"].pk).telecom_budget is None or \
        GroupCustomer.objects.get(pk=book["g1"].pk).telecom_budget >= 0
    assert Contact.objects.get(pk=book["c1"].pk).birthday is None


# ---- item 11: in scope through a site ------------------------------------------------------
def _alert_and_order(group, am):
    account = BillingAccount.objects.create(external_id=f"BA-{group.pk}", group=group, kind="postpaid")
    CreditOrder.objects.create(account=account, action="suspend", rule="CC-3")
    RetentionAlert.objects.create(type="zero_charge", level=1, subject_key=f"g:{group.pk}", period="2026-11",
                                  group=group, assigned_am=am, due_at=timezone.now() + dt.timedelta(days=3))


def test_issue12_item11_site_local_am_and_unit_see_alerts_and_credit_orders(book, people, org, api_for):
    """issue 12 item 11 (ORG-3): am3 is the local AM of g1's site in u12, so g1's alerts and credit
    orders are in am3's scope, and in the scope of u12's group leader."""
    _alert_and_order(book["g1"], people["am1"])
    _alert_and_order(book["g2"], people["am2"])
    leader12 = UserFactory(username="leader12", unit=org["u12"], roles=["leader"])
    for user in (people["am3"], leader12):
        api = api_for(user)
        alerts = api.get("/api/v1/alerts/").json()["results"]
        orders = api.get("/api/v1/credit/orders/").json()["results"]
        assert [a["group"] for a in alerts] == [book["g1"].pk], user
        assert [o["account"] for o in orders] == [f"BA-{book['g1'].pk}"], user
    assert api_for(people["am1b"]).get("/api/v1/alerts/").json()["count"] == 0
    assert api_for(people["am1b"]).get("/api/v1/credit/orders/").json()["count"] == 0


def test_issue12_item2_edit_forms_check_the_stored_values(book, people, org, client_for):
    """issue 12 item 2 (found by the write matrix): a ModelForm copies the posted local AM / counterpart
    onto the instance before the service runs, so the service compares with the stored row."""
    hq = book["g1"].sites.get(is_headquarters=True)
    c = client_for(people["am1"])
    # (a site may lie in any unit — cross-region groups, GC-5 — but its local pair works there)
    r = c.post(reverse("site-edit", args=[hq.pk]), {"name": hq.name, "address": hq.address, "unit": org["u11"].pk,
                                                    "local_am": people["am2"].pk, "local_mm": people["mm2"].pk})
    assert r.status_code == 400
    hq.refresh_from_db()
    assert (hq.unit_id, hq.local_am_id) == (org["u11"].pk, people["am1"].pk)
    c1 = book["c1"]
    r = c.post(reverse("contact-edit", args=[c1.pk]), {"name": c1.name, "type": c1.type, "mobile": c1.mobile,
                                                       "counterpart": people["am2"].pk, "counterpart_level": "am",
                                                       "status": "active"})
    assert r.status_code == 400
    assert Contact.objects.get(pk=c1.pk).counterpart_id == people["am1"].pk


def test_issue12_item2_import_cannot_hand_a_group_on(book, people, org, client_for, django_capture_on_commit_callbacks):
    """issue 12 item 2: the groups import runs the same rule — am1 re-importing g1 for am2 in u21, or
    creating a group in another branch, gets row errors and nothing changes."""
    from groupclients.models import ImportJob
    from tests.groupclients.test_transfer import HEADER, xlsx

    g1 = book["g1"]
    rows = [HEADER,
            [g1.code, g1.name, "enterprise", "杭州市", "0571-1", "it", 10, 100, "B", "", "U21", "am2"],
            ["", "宁波导入集团", "enterprise", "宁波市", "0574-1", "it", 10, 100, "C", "", "U21", "am1"]]
    with django_capture_on_commit_callbacks(execute=True):
        client_for(people["am1"]).post(reverse("import-start"), {"kind": "groups", "file": xlsx(rows)})
    job = ImportJob.objects.get()
    assert job.status == "invalid", job.errors
    assert {e["row"] for e in job.errors} == {2, 3}, job.errors
    g1.refresh_from_db()
    assert (g1.unit_id, g1.account_manager_id) == (org["u11"].pk, people["am1"].pk)
    assert not GroupCustomer.objects.filter(name="宁波导入集团").exists()
