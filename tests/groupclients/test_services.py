"""GC-1, GC-2, CT-1..5 and the member feed: the services enforce the rules."""
import pytest
from django.core.exceptions import ValidationError

from groupclients import services
from groupclients.models import Contact, GroupCustomer, GroupStatusChange, Member
from portal.exceptions import ApplicationError, TransitionError
from portal.policy import override_policy
from tests.factories import ContactFactory, GroupFactory


def test_prospect_may_lack_core_fields_but_active_may_not(people, org):
    """GC-1: a record missing any core field cannot be saved as active."""
    g = services.group_create(by=people["am1"], name="新集团", unit=org["u11"], account_manager=people["am1"])
    assert g.status == "prospect" and g.core_incomplete
    with pytest.raises(ValidationError) as e:
        services.group_change_status(group=g, to="active", by=people["am1"])
    assert {"address", "phone", "industry", "org_type", "employee_count", "annual_revenue"} <= set(e.value.message_dict)
    g.refresh_from_db()
    assert g.status == "prospect"
    with pytest.raises(ValidationError):
        services.group_create(by=people["am1"], name="x", status="active", unit=org["u11"],
                              account_manager=people["am1"])


def test_status_changes_are_recorded(book, people):
    """GC-2: prospect → active → churned with a history row each; illegal moves refused."""
    g = book["g1"]
    services.group_change_status(group=g, to="churned", by=people["am1"], reason="moved to competitor")
    change = GroupStatusChange.objects.get(group=g)
    assert (change.from_status, change.to_status, change.by, change.reason) == (
        "active", "churned", people["am1"], "moved to competitor")
    with pytest.raises(TransitionError):
        services.group_change_status(group=g, to="prospect", by=people["am1"])
    with pytest.raises(ApplicationError):
        services.group_update(group=g, by=people["am1"], status="active")


def test_one_primary_contact_per_group(book, people):
    """CT-1: making a contact primary releases the previous primary."""
    g2 = book["g2"]
    new = services.contact_create(group=g2, by=people["am2"], name="王秘书", type="contact", mobile="13700000001",
                                  is_primary=True)
    assert new.is_primary
    book["c2"].refresh_from_db()
    assert not book["c2"].is_primary
    assert Contact.objects.filter(group=g2, is_primary=True).count() == 1
    with pytest.raises(ValidationError):
        services.contact_create(group=g2, by=people["am2"], name="x", type="dept_head", mobile="13700000002",
                                is_primary=True)


def test_post_changes_are_history_not_overwrites(book, people):
    """CT-3: post and departure recorded; a departed contact stops being primary but stays on file."""
    c = book["c2"]
    services.contact_update(contact=c, by=people["am2"], post="副总经理", note="promoted")
    services.contact_update(contact=c, by=people["am2"], status="departed")
    c.refresh_from_db()
    assert c.status == "departed" and not c.is_primary
    changes = list(c.career.order_by("id").values_list("change", "old_value", "new_value"))
    assert ("post", "", "副总经理") in changes and ("status", "active", "departed") in changes
    assert c.history.count() >= 3


def test_quality_flags_follow_contacts(people, org):
    """CT-2 minimums, primary contact and counterparts drive the data-quality flags."""
    g = GroupFactory(grade="C", unit=org["u11"], account_manager=people["am1"])
    assert g.below_contact_minimum and g.no_primary_contact
    c = services.contact_create(group=g, by=people["am1"], name="赵", type="contact", mobile="13700000003",
                                is_primary=True)
    g.refresh_from_db()
    assert not g.below_contact_minimum and not g.no_primary_contact and g.contacts_without_counterpart == 1
    services.contact_update(contact=c, by=people["am1"], counterpart=people["am1"], counterpart_level="am")
    g.refresh_from_db()
    assert g.contacts_without_counterpart == 0
    services.group_update(group=g, by=people["am1"], grade="A")  # A needs 1 + 1 + 2
    g.refresh_from_db()
    assert g.below_contact_minimum


def test_contact_minimum_is_a_policy_row(people, org):
    from groupclients.models import ContactMinimum
    from groupclients.services import groups_refresh_quality_all

    g = GroupFactory(grade="C", unit=org["u11"], account_manager=people["am1"])
    services.contact_create(group=g, by=people["am1"], name="赵", type="contact", mobile="13700000004",
                            is_primary=True)
    g.refresh_from_db()
    assert not g.below_contact_minimum
    ContactMinimum.objects.filter(grade="C", contact_type="contact").update(minimum=2)
    groups_refresh_quality_all()
    g.refresh_from_db()
    assert g.below_contact_minimum


def _designate(group, n, tier, people):
    out = []
    for i in range(n):
        out.append(services.contact_create(group=group, by=people["am1"], name=f"VIP{tier}{i}", type="dept_head",
                                           mobile=f"1350000{len(tier)}{i:03d}", vip_designated=True, vip_tier=tier))
    return out


def test_designated_vip_quota(book, people):
    """CT-5: diamond ≤ 10 % and gold ≤ 20 % of designated VIPs; A/B only; non-GoTone only silver."""
    from django.utils import translation

    translation.activate("en")
    g1 = book["g1"]
    _designate(g1, 8, "silver", people)
    _designate(g1, 2, "gold", people)  # 2 of 10 = 20 %: allowed
    with pytest.raises(ApplicationError, match="quota"):
        _designate(g1, 1, "gold", people)  # 3 of 11 > 20 %
    assert Contact.objects.filter(vip_designated=True).count() == 10  # the refused one was rolled back
    _designate(g1, 1, "diamond", people)  # 1 of 11 = 9.1 %: allowed
    with pytest.raises(ApplicationError):
        services.contact_create(group=g1, by=people["am1"], name="d2", type="dept_head", mobile="13500008888",
                                vip_designated=True, vip_tier="diamond")  # 2 of 12 > 10 %
    with override_policy({"vip.designated_diamond_quota_percent": 50}):
        services.contact_create(group=g1, by=people["am1"], name="d2", type="dept_head", mobile="13500008888",
                                vip_designated=True, vip_tier="diamond")
    with pytest.raises(ApplicationError, match="GoTone"):
        services.contact_create(group=g1, by=people["am1"], name="x", type="contact", mobile="13500009999",
                                vip_designated=True, vip_tier="gold", is_gotone=False)
    with pytest.raises(ApplicationError, match="class A or B"):
        services.contact_create(group=book["g3"], by=people["am3"], name="y", type="contact",
                                mobile="13500009998", vip_designated=True, vip_tier="silver")


def test_member_bulk_upsert_all_or_nothing(book, people):
    rows = [
        {"mobile": "13600000001", "group": book["g1"].code, "vip_tier": "gold"},
        {"mobile": "13600000002", "group": str(book["g1"].pk), "billing_type": "prepaid"},
        {"mobile": "bad", "group": book["g1"].code},
        {"mobile": "13600000003", "group": book["g2"].code},  # am1 may not write g2
    ]
    allowed = GroupCustomer.objects.filter(pk=book["g1"].pk)
    with pytest.raises(ApplicationError) as e:
        services.members_bulk_upsert(rows=rows, by=people["am1"], allowed_groups=allowed)
    bad_rows = {err["row"] for err in e.value.extra["errors"]}
    assert bad_rows == {3, 4}
    assert not Member.objects.exists()
    result = services.members_bulk_upsert(rows=rows[:2], by=people["am1"], allowed_groups=allowed)
    assert result == {"created": 2, "updated": 0}
    result = services.members_bulk_upsert(rows=[{"mobile": "13600000001", "group": book["g1"].code,
                                                 "vip_tier": "diamond"}], by=people["am1"], allowed_groups=allowed)
    assert result == {"created": 0, "updated": 1}
    m = Member.objects.get(mobile="13600000001")
    assert m.vip_tier == "diamond" and m.history.count() == 2


def test_opportunity_decided_by_supervisor(book, people):
    opp = services.opportunity_create(group=book["g1"], by=people["am1"], title="专线扩容", category="data_line",
                                      need="带宽翻倍")
    with pytest.raises(ApplicationError):
        services.opportunity_decide(opportunity=opp, decision="pursue", by=people["am1"])
    services.opportunity_decide(opportunity=opp, decision="pursue", by=people["leader1"])
    with pytest.raises(TransitionError):
        services.opportunity_decide(opportunity=opp, decision="drop", by=people["leader1"])
    services.opportunity_add_update(opportunity=opp, by=people["am1"], text="方案已提交")
    assert opp.updates.count() == 1


def test_contact_factory_defaults_are_valid(book):
    c = ContactFactory.build(group=book["g1"])
    c.full_clean(validate_constraints=False)
