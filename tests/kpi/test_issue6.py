"""The KPIs on issue 6's models — retention alerts, arrears snapshots, credit-control orders — by hand."""

from __future__ import annotations

from decimal import Decimal

import pytest

from groupclients.billing.models import ArrearsSnapshot, BillingAccount, CreditOrder, RetentionAlert
from tests.kpi.conftest import M, at

pytestmark = pytest.mark.django_db


@pytest.fixture
def alerts(june, people):
    p = people
    n = iter(range(100))

    def alert(group, am, created, due, status="open", closed=None):
        a = RetentionAlert.objects.create(
            type="arpu_drop",
            level=2,
            subject_key=f"g:{next(n)}",
            period="2025-06",
            group=group,
            assigned_am=am,
            due_at=due,
            status=status,
            closed_at=closed,
        )
        RetentionAlert.objects.filter(pk=a.pk).update(created_at=created)
        return a

    alert(june["g1"], p["am1"], at(25, month=5), at(3), "retained", at(2))  # closed in June: retained
    alert(june["g1"], p["am1"], at(5), at(8))  # open and overdue at the end of June
    alert(june["g2"], p["am2"], at(10), at(10, month=7))  # open, not yet due
    alert(june["g2"], p["am2"], at(12), at(19), "lost", at(20))  # closed in June: lost
    alert(june["g3"], p["am3"], at(14), at(20), "not_risk", at(3, month=7))  # still open on 1 July, overdue
    alert(june["g1"], p["am1"], at(2, month=7), at(9, month=7))  # raised in July


def test_alerts(alerts, province, report_for):
    a = report_for(province).figures["alerts"]
    assert (a["raised"], a["open"], a["overdue"]) == (4, 3, 2)
    assert (a["closed"], a["retained"], a["lost"], a["not_risk"]) == (2, 1, 1, 0)
    assert a["retained_rate"] == 50.0


@pytest.fixture
def billing(june):
    acc = {}
    for key, group in (("a1", "g1"), ("a2", "g1"), ("a3", "g2"), ("a4", "g3")):
        acc[key] = BillingAccount.objects.create(external_id=f"KPI-{key}", group=june[group], kind="postpaid")
    for key, ageing, amount in (("a1", 0, "100"), ("a2", 2, "250.5"), ("a3", 5, "300"), ("a4", 14, "1000")):
        ArrearsSnapshot.objects.create(
            month=M,
            account=acc[key],
            group=acc[key].group,
            kind="postpaid",
            amount_due=Decimal(amount),
            ageing_months=ageing,
            overdue_days=ageing * 30,
        )
    ArrearsSnapshot.objects.create(
        month=M.replace(month=5),
        account=acc["a3"],
        group=acc["a3"].group,
        kind="postpaid",
        amount_due=Decimal("80"),
        ageing_months=1,
    )

    def order(key, action, when):
        o = CreditOrder.objects.create(account=acc[key], action=action, rule="test")
        CreditOrder.objects.filter(pk=o.pk).update(created_at=when)

    order("a1", "half_suspend", at(2))
    order("a1", "suspend", at(3))
    order("a2", "emergency_resume", at(4))
    order("a3", "suspend", at(5))
    order("a3", "resume", at(30, month=5))
    return acc


def test_arrears_by_age(billing, province, report_for):
    a = report_for(province).figures["arrears"]
    assert (a["accounts"], a["amount"]) == (4, 1650.5)
    assert [a[f"n_{b}"] for b in ("m0_1", "m2_3", "m4_6", "m7_12", "m13")] == [1, 1, 1, 0, 1]
    assert (a["amt_m2_3"], a["amt_m13"]) == (250.5, 1000.0)


def test_suspensions_and_emergency_resumes(billing, province, report_for):
    c = report_for(province).figures["credit"]
    assert (c["a_suspend"], c["a_half_suspend"], c["a_emergency_resume"], c["a_resume"]) == (2, 1, 1, 0)


def test_credit_figures_follow_the_scope(billing, org, report_for):
    from portal.kpi.scope import Scope

    f = report_for(Scope(node=org["b1"])).figures  # g1 and g3 are in branch 1, g2 is not
    assert f["arrears"]["accounts"] == 3 and f["arrears"]["amount"] == 1350.5
    assert (f["credit"]["a_suspend"], f["credit"]["a_half_suspend"]) == (1, 1)
