"""CC-2..10: the credit ladders, resume, grace, exemption, packages, idempotency and concurrency."""
import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from groupclients.billing.models import BillingAccount, CreditOrder, Package, RetentionAlert
from groupclients.billing.services import credit
from portal.exceptions import ApplicationError
from portal.jobruns import run_job
from portal.sms.models import OutboxMessage
from tests.factories import ContactFactory, MemberFactory

TODAY = None


def account(book, ext, kind="postpaid", member_kw=None, **kw):
    a = BillingAccount.objects.create(external_id=ext, group=book["g1"], kind=kind, **kw)
    MemberFactory(group=book["g1"], account=a, **(member_kw or {}))
    return a


def orders(a):
    return list(a.orders.order_by("id").values_list("action", flat=True))


def test_postpaid_ladder_reminder_half_suspend_suspend_resume(book):
    today = timezone.localdate()
    a = account(book, "P1", amount_due=Decimal("120"), due_date=today + dt.timedelta(days=3))
    credit.credit_control_sweep()
    assert orders(a) == ["reminder"]
    assert OutboxMessage.objects.filter(template_key="credit_reminder", dedupe_key__startswith="credit-remind").count() == 1
    BillingAccount.objects.filter(pk=a.pk).update(due_date=today - dt.timedelta(days=1))
    now = timezone.now()
    credit.credit_control_sweep(now=now)
    a.refresh_from_db()
    assert a.status == "half_suspended" and orders(a)[-1] == "half_suspend"
    half_sms = OutboxMessage.objects.get(dedupe_key__startswith="credit-half")
    assert "120" in half_sms.text  # the amount due, and the full-suspension time (CC-4)
    credit.credit_control_sweep(now=now + dt.timedelta(hours=23))
    a.refresh_from_db()
    assert a.status == "half_suspended"  # 24 h of half-suspension first
    credit.credit_control_sweep(now=now + dt.timedelta(hours=24, minutes=1))
    a.refresh_from_db()
    assert a.status == "suspended"
    payment, created = credit.payment_record(account=a, amount=Decimal("120"), external_id="pay-1")
    a.refresh_from_db()
    assert created and a.status == "active" and orders(a)[-1] == "resume"
    again, created = credit.payment_record(account=a, amount=Decimal("120"), external_id="pay-1")
    assert not created and again == payment and a.payments.count() == 1


def test_prepaid_suspend_and_recharge_resume(book):
    a = account(book, "R1", kind="prepaid", cash_balance=Decimal("-5"))
    now = timezone.now()
    credit.credit_control_sweep(now=now)
    credit.credit_control_sweep(now=now + dt.timedelta(hours=25))
    a.refresh_from_db()
    assert a.status == "suspended"
    credit.payment_record(account=a, amount=Decimal("3"), external_id="r-1")  # still negative
    a.refresh_from_db()
    assert a.status == "suspended"
    credit.payment_record(account=a, amount=Decimal("50"), external_id="r-2", validity_days=30)
    a.refresh_from_db()
    assert a.status == "active" and a.cash_balance == Decimal("48")


def test_prepaid_validity_end_counts_as_arrears(book):
    a = account(book, "R2", kind="prepaid", cash_balance=Decimal("20"),
                balance_valid_until=timezone.localdate() - dt.timedelta(days=1))
    credit.credit_control_sweep()
    a.refresh_from_db()
    assert a.status == "half_suspended"


def test_disconnect_after_90_days_and_instalment_end(book):
    now = timezone.now()
    a = account(book, "D1", amount_due=Decimal("10"), due_date=timezone.localdate() - dt.timedelta(days=100),
                status="suspended", status_since=now - dt.timedelta(days=89))
    b = account(book, "D2", amount_due=Decimal("10"), due_date=timezone.localdate() - dt.timedelta(days=20),
                status="suspended", status_since=now - dt.timedelta(days=5),
                instalment_end=timezone.localdate() - dt.timedelta(days=1))
    credit.credit_control_sweep(now=now)
    a.refresh_from_db(), b.refresh_from_db()
    assert a.status == "suspended" and b.status == "disconnected"
    credit.credit_control_sweep(now=now + dt.timedelta(days=1, minutes=1))
    a.refresh_from_db()
    assert a.status == "disconnected" and orders(a) == ["disconnect"]


def test_exempt_and_grace_accounts_are_never_touched(book, people):
    past = timezone.localdate() - dt.timedelta(days=5)
    ex = account(book, "E1", amount_due=Decimal("99"), due_date=past, exempt=True, exempt_reason="政府单位",
                 exempt_approver=people["manager1"])
    contact = ContactFactory(group=book["g1"], mobile="13655550000")
    g = account(book, "G1", amount_due=Decimal("99"), due_date=past, status="suspended",
                member_kw={"contact": contact})
    with pytest.raises(ApplicationError):
        credit.emergency_resume(account=g, by=people["am1"], reason="")
    credit.emergency_resume(account=g, by=people["am1"], reason="手机丢失")
    g.refresh_from_db()
    assert g.status == "active" and g.grace_until > timezone.now() + dt.timedelta(days=6)
    credit.credit_control_sweep()
    credit.credit_control_sweep(now=timezone.now() + dt.timedelta(days=2))
    ex.refresh_from_db(), g.refresh_from_db()
    assert ex.status == "active" and not ex.orders.exists()
    assert g.status == "active" and orders(g) == ["emergency_resume"]
    credit.credit_control_sweep(now=timezone.now() + dt.timedelta(days=8))  # grace over (CC-5: 7 days)
    g.refresh_from_db()
    assert g.status == "half_suspended"


def test_emergency_resume_only_for_key_persons(book, people):
    a = account(book, "K1", status="suspended")
    with pytest.raises(ApplicationError, match="key persons|关键人"):
        credit.emergency_resume(account=a, by=people["am1"], reason="x")


def test_high_value_member_raises_alert_before_suspension_and_delay(book, people):
    today = timezone.localdate()
    a = account(book, "V1", amount_due=Decimal("300"), due_date=today + dt.timedelta(days=2),
                member_kw={"vip_tier": "gold"})
    credit.credit_control_sweep()
    alert = RetentionAlert.objects.get(type="arrears_high_value")
    assert alert.level == 1 and alert.assigned_am == people["am1"]
    credit.suspension_delay(account=a, by=people["am1"], until=timezone.now() + dt.timedelta(days=5), reason="客户出差")
    BillingAccount.objects.filter(pk=a.pk).update(due_date=today - dt.timedelta(days=1))
    credit.credit_control_sweep()
    a.refresh_from_db()
    assert a.status == "active" and orders(a) == ["reminder", "delay"]


def test_tight_package_suspends_and_resumes_together_loose_does_not(book):
    today = timezone.localdate()
    tight = Package.objects.create(external_id="PK1", kind="tight")
    x = account(book, "T-X", amount_due=Decimal("50"), due_date=today - dt.timedelta(days=1), package=tight,
                package_role="base")
    y = account(book, "T-Y", package=tight, package_role="base")
    addon = account(book, "T-A", package=tight, package_role="addon")
    loose = Package.objects.create(external_id="PK2", kind="loose")
    lx = account(book, "L-X", amount_due=Decimal("50"), due_date=today - dt.timedelta(days=1), package=loose,
                 package_role="base")
    ly = account(book, "L-Y", package=loose, package_role="base")
    credit.credit_control_sweep()
    for a in (x, y, addon, lx, ly):
        a.refresh_from_db()
    assert (x.status, y.status, addon.status) == ("half_suspended", "half_suspended", "active")
    assert (lx.status, ly.status) == ("half_suspended", "active")
    credit.payment_record(account=x, amount=Decimal("50"), external_id="pk-pay")
    x.refresh_from_db(), y.refresh_from_db()
    assert x.status == y.status == "active"


def test_disconnected_base_cancels_addon_discount_and_dissolves_loose_bundle(book):
    now = timezone.now()
    loose = Package.objects.create(external_id="PK3", kind="loose")
    base = account(book, "LB", amount_due=Decimal("5"), due_date=timezone.localdate() - dt.timedelta(days=99),
                   status="suspended", status_since=now - dt.timedelta(days=91), package=loose, package_role="base")
    addon = account(book, "LA", package=loose, package_role="addon")
    counts = credit.credit_control_sweep(now=now)
    addon.refresh_from_db(), loose.refresh_from_db()
    assert addon.discount_cancelled and loose.dissolved_at is not None
    assert counts["bundles_dissolved"] == 1
    assert credit.credit_control_sweep(now=now)["discounts_cancelled"] == 0
    _ = base


def test_bonus_spent_first_and_expired_bonus_voided(book):
    a = account(book, "B1", kind="prepaid", cash_balance=Decimal("10"), noncash_balance=Decimal("5"),
                noncash_expires_on=timezone.localdate() - dt.timedelta(days=1))
    credit.account_charge(account=a, amount=Decimal("7"))
    a.refresh_from_db()
    assert (a.noncash_balance, a.cash_balance) == (Decimal("0"), Decimal("8"))
    b = account(book, "B2", kind="prepaid", cash_balance=Decimal("10"), noncash_balance=Decimal("5"),
                noncash_expires_on=timezone.localdate() - dt.timedelta(days=1))
    credit.credit_control_sweep()
    b.refresh_from_db()
    assert b.noncash_balance == 0 and b.cash_balance == Decimal("10") and orders(b) == ["bonus_void"]


def test_second_run_changes_nothing_and_runs_are_recorded(book):
    from portal.models import JobRun

    today = timezone.localdate()
    for i in range(5):
        account(book, f"I{i}", amount_due=Decimal("10"), due_date=today - dt.timedelta(days=1))
    first = run_job("credit_control")
    n = CreditOrder.objects.count()
    second = run_job("credit_control")
    assert first["half_suspended"] == 5 and second["half_suspended"] == 0
    assert CreditOrder.objects.count() == n
    runs = JobRun.objects.filter(name="credit_control")
    assert runs.count() == 2 and all(r.status == "done" and r.finished_at for r in runs)


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_runs_do_not_double_act(org, people):
    """JOB-5 safe against a concurrent second run (PostgreSQL advisory lock in CI; cache lock on SQLite)."""
    from tests.factories import GroupFactory

    g = GroupFactory(unit=org["u11"], account_manager=people["am1"])
    today = timezone.localdate()
    for i in range(40):
        a = BillingAccount.objects.create(external_id=f"C{i}", group=g, kind="postpaid", amount_due=Decimal("10"),
                                          due_date=today - dt.timedelta(days=1))
        MemberFactory(group=g, account=a)
    results = []

    def worker():
        try:
            results.append(run_job("credit_control"))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert CreditOrder.objects.filter(action="half_suspend").count() == 40
    assert sum(r.get("half_suspended", 0) for r in results) == 40


def test_arrears_snapshot_once_per_month(book):
    month = timezone.localdate().replace(day=1)
    account(book, "S1", amount_due=Decimal("30"), arrears_since=month - dt.timedelta(days=100))
    account(book, "S2", kind="prepaid", cash_balance=Decimal("-4"), arrears_since=month - dt.timedelta(days=10))
    assert credit.arrears_snapshot_take(month=month) == 2
    assert credit.arrears_snapshot_take(month=month) == 0
    from groupclients.billing.models import ArrearsSnapshot

    s1 = ArrearsSnapshot.objects.get(account__external_id="S1")
    assert s1.ageing_months >= 3 and not s1.counted_on_network



def test_credit_notices_name_the_account_by_its_last_four_digits(book):
    """Issue 16 item 5 (CC-4): no internal account code, no staff tag, the operator's signature."""
    today = timezone.localdate()
    account(book, "ACC57108812", amount_due=Decimal("199"), due_date=today + dt.timedelta(days=2))
    late = account(book, "ACC57103456", amount_due=Decimal("88"), due_date=today - dt.timedelta(days=1))
    credit.credit_control_sweep()
    late.refresh_from_db()
    assert late.status == "half_suspended"
    texts = dict(OutboxMessage.objects.filter(template_key__startswith="credit_").values_list("template_key", "text"))
    assert set(texts) == {"credit_reminder", "credit_half_suspension"}
    assert "尾号8812" in texts["credit_reminder"] and "199" in texts["credit_reminder"]
    assert "尾号3456" in texts["credit_half_suspension"] and "88" in texts["credit_half_suspension"]
    for text in texts.values():
        assert "ACC" not in text and "【工作提醒】" not in text and text.endswith("【中国移动】"), text
