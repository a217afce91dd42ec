"""RET-2..5: each warning rule fires at its threshold and not below it; duplicates merge."""
import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from groupclients.billing.models import RetentionAlert, UsageMonth
from groupclients.billing.services import retention
from portal.policy import override_policy
from tests.factories import MemberFactory

M = dt.date(2026, 10, 1)
PREV = [dt.date(2026, 7, 1), dt.date(2026, 8, 1), dt.date(2026, 9, 1)]
BASE = {"revenue": Decimal("100"), "minutes": 300, "outgoing_calls": 50, "data_mb": 2000, "forwarding_days": 0,
        "competitor_hotline_seconds": 0}


def usage(member, month, **kw):
    return UsageMonth.objects.create(member=member, month=month, **{**BASE, **kw})


@pytest.fixture
def member(book):
    m = MemberFactory(group=book["g1"], mobile="13600000100")
    for p in PREV:
        usage(m, p)
    return m


def types(member=None):
    qs = RetentionAlert.objects.all()
    if member is not None:
        qs = qs.filter(member=member)
    return set(qs.values_list("type", flat=True))


@pytest.mark.parametrize("field, fires, holds, type_", [
    ("revenue", Decimal("70"), Decimal("70.01"), "arpu_drop"),       # −30 % fires, −29.99 % does not
    ("minutes", 210, 211, "mou_drop"),
    ("data_mb", 1000, 1001, "data_drop"),                             # −50 %
    ("forwarding_days", 3, 2, "forwarding"),
    ("competitor_hotline_seconds", 60, 59, "competitor_hotline"),
    ("outgoing_calls", 0, 1, "no_outgoing"),
    ("revenue", Decimal("0"), Decimal("0.01"), "zero_charge"),
])
def test_member_rule_fires_at_threshold_not_below(member, field, fires, holds, type_):
    row = usage(member, M, **{field: holds})
    retention.retention_scan_members(month=M)
    assert type_ not in types(member)
    UsageMonth.objects.filter(pk=row.pk).update(**{field: fires})
    retention.retention_scan_members(month=M)
    assert type_ in types(member)
    alert = RetentionAlert.objects.get(member=member, type=type_)
    assert alert.assigned_am == member.group.account_manager and alert.period == "2026-10"
    assert alert.evidence  # the numbers that fired it (RET-3)


def test_thresholds_are_policy_values(member):
    usage(member, M, revenue=Decimal("80"))  # −20 %
    retention.retention_scan_members(month=M)
    assert "arpu_drop" not in types(member)
    with override_policy({"retention.arpu_drop_percent": 20}):
        retention.retention_scan_members(month=M)
    assert "arpu_drop" in types(member)


def test_vip_alerts_are_level_1_and_due_in_working_days(member):
    member.vip_tier = "gold"
    member.save()
    usage(member, M, revenue=Decimal("50"))
    now = dt.datetime(2026, 10, 30, 10, tzinfo=dt.UTC)  # a Friday
    retention.retention_scan_members(month=M, now=now)
    a = RetentionAlert.objects.get(type="arpu_drop")
    assert a.level == 1
    assert timezone.localtime(a.due_at).date() == dt.date(2026, 11, 4)  # 3 working days: Mon, Tue, Wed
    assert a.evidence["drop_pct"] == "50.0"


def test_duplicates_merge_and_second_run_adds_nothing(member):
    usage(member, M, revenue=Decimal("50"), minutes=10)
    first = retention.retention_scan_members(month=M)
    second = retention.retention_scan_members(month=M)
    assert first["member_alerts_new"] == 2 and second["member_alerts_new"] == 0
    assert RetentionAlert.objects.filter(member=member, type="arpu_drop").count() == 1


def test_group_rules(book):
    g = book["g1"]
    now_members = [MemberFactory(group=g, joined_on=dt.date(2025, 1, 1)) for _ in range(18)]
    for _ in range(2):  # left since: retention 18/20 = 90 % < 95 %
        MemberFactory(group=g, status="left", joined_on=dt.date(2025, 1, 1), left_on=dt.date(2026, 10, 15))
    for m in now_members:
        for p in PREV:
            usage(m, p)
        usage(m, M, revenue=Decimal("70"), forwarding_days=5 if m in now_members[:3] else 0)  # revenue −30 %
    retention.retention_scan_groups(month=M)
    got = set(RetentionAlert.objects.filter(subject_key=f"g:{g.pk}").values_list("type", flat=True))
    assert got == {"group_retention", "group_revenue_drop", "bulk_forwarding"}
    assert retention.retention_scan_groups(month=M)["group_alerts_new"] == 0


def test_contract_expiry_key_moment(book):
    from groupclients.models import CompetitorContract

    today = timezone.localdate()
    CompetitorContract.objects.create(group=book["g1"], operator="telecom", category="internet",
                                      end_on=today + dt.timedelta(days=90))
    CompetitorContract.objects.create(group=book["g1"], operator="unicom", category="fixed",
                                      end_on=today + dt.timedelta(days=91))
    assert retention.key_moments_scan(today=today)["contract_alerts_new"] == 1
    assert retention.key_moments_scan(today=today)["contract_alerts_new"] == 0


def test_act_and_close(member, people):
    from portal.exceptions import ApplicationError, TransitionError

    usage(member, M, revenue=Decimal("0"))
    retention.retention_scan_members(month=M)
    a = RetentionAlert.objects.get(type="zero_charge")
    retention.alert_act(alert=a, by=people["am1"], kind="call", note="客户出差，下月恢复")
    a.refresh_from_db()
    assert a.status == "in_progress"
    with pytest.raises(ApplicationError):
        retention.alert_close(alert=a, by=people["am1"], outcome="", status="retained")
    retention.alert_close(alert=a, by=people["am1"], outcome="赠送流量包后留存", status="retained")
    with pytest.raises(TransitionError):
        retention.alert_act(alert=a, by=people["am1"], kind="note", note="x")
    assert a.actions.count() == 2
