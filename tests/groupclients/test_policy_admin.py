"""Contact minimums (CT-2) and VIP quotas (CT-5) in the admin site (CFG-1): validated and audit-logged."""
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from groupclients.models import ContactMinimum
from groupclients.services import contact_create, contact_minimum_set
from portal.models import AuditEvent
from portal.policy import policy
from tests.factories import GroupFactory


def _events():
    return AuditEvent.objects.filter(action=AuditEvent.Action.POLICY_CHANGED,
                                     target_type="groupclients.contactminimum")


def _row(grade="C", contact_type="contact") -> ContactMinimum:
    return ContactMinimum.objects.get(grade=grade, contact_type=contact_type)


def test_admin_edit_is_audited_and_flags_are_recomputed(db, people, org, client_for,
                                                        django_capture_on_commit_callbacks):
    g = GroupFactory(grade="C", unit=org["u11"], account_manager=people["am1"])
    contact_create(group=g, by=people["am1"], name="赵", type="contact", mobile="13700000004", is_primary=True)
    g.refresh_from_db()
    assert not g.below_contact_minimum

    row = _row()
    change = reverse("admin:groupclients_contactminimum_change", args=[row.pk])
    admin = client_for(people["admin"])
    assert admin.get(change).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        r = admin.post(change, {"minimum": 2, "_save": "Save"})
    assert r.status_code == 302
    assert _row().minimum == 2
    event = _events().get()
    assert event.actor == people["admin"]
    assert (event.detail["key"], event.detail["old"], event.detail["new"]) == (
        "groupclients.contact_minimum.C.contact", 1, 2)
    g.refresh_from_db()
    assert g.below_contact_minimum  # recomputed after commit (eager task in tests)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("-1", "Ensure this value is greater than or equal to 0."),
        ("51", "At most 50; 0 means no minimum for this type."),
        ("", "This field is required."),
    ],
)
def test_invalid_minimum_is_refused_with_a_message(db, people, client_for, value, message):
    row = _row("A", "dept_head")
    r = client_for(people["admin"]).post(reverse("admin:groupclients_contactminimum_change", args=[row.pk]),
                                         {"minimum": value, "_save": "Save"}, HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 200
    assert r.context["adminform"].form.errors["minimum"] == [message]
    assert _row("A", "dept_head").minimum == 1
    assert not _events().exists()


def test_list_edit_goes_through_the_service(db, people, client_for):
    rows = list(ContactMinimum.objects.order_by("pk"))
    data = {"form-TOTAL_FORMS": len(rows), "form-INITIAL_FORMS": len(rows), "_save": "Save"}
    for i, row in enumerate(rows):
        data.update({f"form-{i}-id": row.pk, f"form-{i}-minimum": row.minimum})
    i = next(i for i, row in enumerate(rows) if (row.grade, row.contact_type) == ("B", "contact"))
    data[f"form-{i}-minimum"] = 3
    assert client_for(people["admin"]).post("/admin/groupclients/contactminimum/", data).status_code == 302
    assert _row("B", "contact").minimum == 3
    assert _events().get().detail["new"] == 3


def test_adding_a_type_without_a_row_is_audited_from_none(db, people, client_for):
    r = client_for(people["admin"]).post(reverse("admin:groupclients_contactminimum_add"), {
        "grade": "A", "contact_type": "other_decision_maker", "minimum": 1, "_save": "Save"})
    assert r.status_code == 302
    event = _events().get()
    assert (event.detail["old"], event.detail["new"]) == (None, 1)


def test_rows_cannot_be_deleted_and_non_admins_are_turned_away(db, people, client_for):
    row = _row()
    admin = client_for(people["admin"])
    assert admin.post(reverse("admin:groupclients_contactminimum_delete", args=[row.pk]),
                      {"post": "yes"}).status_code == 403
    change = reverse("admin:groupclients_contactminimum_change", args=[row.pk])
    for who in ("manager1", "am1"):
        r = client_for(people[who]).post(change, {"minimum": 0, "_save": "Save"})
        assert r.status_code == 302 and "/admin/login/" in r["Location"]
    assert _row().minimum == 1
    assert not _events().exists()


def test_the_service_validates_and_ignores_no_change(db, people):
    row = _row()
    with pytest.raises(ValidationError):
        contact_minimum_set(row=row, minimum=-1, by=people["admin"])
    contact_minimum_set(row=_row(), minimum=1, by=people["admin"])  # unchanged
    assert _row().minimum == 1 and not _events().exists()


def test_vip_quotas_are_policy_values_validated_and_audited(db, people, client_for):
    """CT-5 quotas live in the policy registry: the admin edit page refuses > 100 % and audits a change."""
    url = reverse("admin:portal_policyvalue_edit", args=["vip.designated_gold_quota_percent"])
    admin = client_for(people["admin"])
    for bad in ("101", "-1"):
        r = admin.post(url, {"value": bad}, HTTP_ACCEPT_LANGUAGE="en")
        assert r.status_code == 200 and r.context["form"].errors["value"]
    assert admin.post(url, {"value": "15"}).status_code == 302
    assert policy("vip.designated_gold_quota_percent") == Decimal("15")
    event = AuditEvent.objects.get(action=AuditEvent.Action.POLICY_CHANGED, target_id="vip.designated_gold_quota_percent")
    assert (event.actor, event.detail["old"], event.detail["new"]) == (people["admin"], "20", "15")
