"""Credit control (SPEC CC-1..10, JOB-5), set-based.

Each rule of the prepaid and postpaid ladders is one pass: the matching accounts are locked in
batches (FOR UPDATE SKIP LOCKED on PostgreSQL, so a concurrent run takes other rows or none), moved
with ONE UPDATE whose WHERE repeats the rule (so nothing moves twice), and get their work orders
and SMS from bulk INSERTs. Exempt accounts, accounts in an emergency-resume grace period and
accounts whose suspension an AM delayed are excluded by every rule (CC-10). A second run finds no
account still matching any rule: it changes nothing.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.exceptions import ApplicationError, TransitionError
from portal.policy import policies
from portal.sms.defaults import account_tail
from portal.sms.models import OutboxMessage
from portal.sms.numbers import normalise_mobile
from portal.sms.rendering import render_text
from portal.sms.services import template_context, template_text

from ...models import Member
from ..models import ArrearsSnapshot, BillingAccount, CreditOrder, Package, Payment, RetentionAlert

A = BillingAccount.Status
K = BillingAccount.Kind
Act = CreditOrder.Action
BATCH = 5000


def _settings() -> dict:
    p = policies("credit.reminder_days_before_due", "credit.half_suspension_hours",
                 "credit.disconnect_after_suspended_days", "credit.emergency_resume_grace_days")
    return {"remind_days": int(p["credit.reminder_days_before_due"]),
            "half_hours": int(p["credit.half_suspension_hours"]),
            "disconnect_days": int(p["credit.disconnect_after_suspended_days"]),
            "grace_days": int(p["credit.emergency_resume_grace_days"])}


def controllable(now: dt.datetime) -> Q:
    """CC-10: never exempt accounts, never in grace, never delayed by an AM, only the enrolled."""
    return (Q(enrolled=True, exempt=False)
            & (Q(grace_until__isnull=True) | Q(grace_until__lt=now))
            & (Q(delay_until__isnull=True) | Q(delay_until__lt=now)))


def _in_arrears(today: dt.date) -> Q:
    """Prepaid: balance below zero or validity ended (CC-2). Postpaid: unpaid after the due date (CC-3)."""
    prepaid = Q(kind=K.PREPAID) & (Q(cash_balance__lt=-F("noncash_balance")) | Q(balance_valid_until__lt=today))
    postpaid = Q(kind__in=[K.POSTPAID, K.POSTPAID_PREPAY], amount_due__gt=0, due_date__lt=today)
    return prepaid | postpaid


def _paid_up(today: dt.date) -> Q:
    prepaid = Q(kind=K.PREPAID, cash_balance__gte=-F("noncash_balance")) & (
        Q(balance_valid_until__isnull=True) | Q(balance_valid_until__gte=today))
    postpaid = Q(kind__in=[K.POSTPAID, K.POSTPAID_PREPAY], amount_due__lte=0)
    return prepaid | postpaid


def _sms_rows(accounts: list[BillingAccount], template: str, dedupe: str, context: Callable) -> list[OutboxMessage]:
    """The outbox rows for a batch (SMS-1: written in the job's transaction; the flush task sends them)."""
    by_account: dict[int, list[str]] = {}
    for acc_id, mobile in Member.objects.filter(account__in=[a.pk for a in accounts], status="active").values_list(
            "account_id", "mobile"):
        by_account.setdefault(acc_id, []).append(mobile)
    rows, now = [], timezone.now()
    text = template_text(template) if by_account else ""  # read once per batch, rendered per account
    extra = template_context(template) if by_account else {}  # the customer signature, read once
    for a in accounts:
        for mobile in by_account.get(a.pk, [])[:1]:  # one SMS per account, to its first line
            rows.append(OutboxMessage(to=normalise_mobile(mobile), text=render_text(text, {**extra, **context(a)}),
                                      template_key=template, kind="service",
                                      dedupe_key=f"{dedupe}:{a.pk}", next_attempt_at=now))
    return rows


def _step(*, name: str, qs: QuerySet, update: dict, action: str, rule: str, run=None, sms: tuple | None = None,
          reason: Callable | None = None, before_update: Callable | None = None) -> int:
    """One rule: lock a batch, UPDATE it (re-checking the rule), write work orders and SMS. Returns count."""
    total = 0
    skip_locked = connection.features.has_select_for_update_skip_locked
    while True:
        with transaction.atomic():
            batch_qs = qs.order_by("pk")
            batch_qs = batch_qs.select_for_update(skip_locked=True, of=("self",)) if skip_locked else batch_qs
            accounts = list(batch_qs[:BATCH])
            if not accounts:
                return total
            ids = [a.pk for a in accounts]
            if before_update:
                before_update(accounts)
            changed_ids = set(qs.filter(pk__in=ids).values_list("pk", flat=True))
            qs.model.objects.filter(pk__in=changed_ids).update(**update)
            accounts = [a for a in accounts if a.pk in changed_ids]
            CreditOrder.objects.bulk_create([
                CreditOrder(account=a, action=action, rule=rule, reason=(reason(a) if reason else "")[:300],
                            job_run=run) for a in accounts], batch_size=BATCH)
            if sms:
                OutboxMessage.objects.bulk_create(_sms_rows(accounts, *sms), batch_size=BATCH, ignore_conflicts=True)
            total += len(accounts)
            if not changed_ids:
                return total


def _high_value_alerts(accounts: list[BillingAccount]) -> None:
    """CC-6: before a VIP or key person is suspended, the AM gets a level-1 alert (RET-5) and may delay.
    One query for the batch's high-value members, then the scans' merging insert."""
    from .retention import _Due, _insert

    now = timezone.now()
    due = _Due(now)(1)
    period = timezone.localdate().isoformat()
    alerts = [
        RetentionAlert(type=RetentionAlert.Type.ARREARS_HIGH_VALUE, level=1, subject_key=f"m:{m.pk}", period=period,
                       group_id=m.group_id, member_id=m.pk, contact_id=m.contact_id, due_at=due,
                       assigned_am_id=m.group.account_manager_id,
                       evidence={"account": m.account.external_id, "amount_due": str(m.account.amount_due),
                                 "balance": str(m.account.balance), "due_date": str(m.account.due_date or "")})
        for m in Member.objects.filter(account__in=accounts, status="active").filter(
            Q(vip_tier__gt="") | Q(contact__isnull=False)).select_related("group", "account")
    ]
    _insert(alerts)  # merged on (type, subject, period) like every other alert


def credit_control_sweep(*, now: dt.datetime | None = None, run=None) -> dict[str, int]:
    """JOB-5: reminders, half-suspension, suspension, resume of the paid-up, disconnect work orders."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    s = _settings()
    base = BillingAccount.objects.filter(controllable(now))
    counts: dict[str, int] = {}
    half_until = now + dt.timedelta(hours=s["half_hours"])

    # CC-4 reminder before the due date (postpaid) or the end of validity (prepaid), once per due date
    soon = today + dt.timedelta(days=s["remind_days"])
    remind = base.filter(status=A.ACTIVE).filter(
        Q(kind__in=[K.POSTPAID, K.POSTPAID_PREPAY], amount_due__gt=0, due_date__gte=today, due_date__lte=soon)
        & (Q(reminded_for__isnull=True) | ~Q(reminded_for=F("due_date")))
        | Q(kind=K.PREPAID, balance_valid_until__gte=today, balance_valid_until__lte=soon)
        & (Q(reminded_for__isnull=True) | ~Q(reminded_for=F("balance_valid_until"))))
    counts["reminders"] = 0
    for kind, due_field in ((K.POSTPAID, "due_date"), (K.POSTPAID_PREPAY, "due_date"), (K.PREPAID, "balance_valid_until")):
        counts["reminders"] += _step(
            name="reminder", qs=remind.filter(kind=kind), update={"reminded_for": F(due_field)}, action=Act.REMINDER,
            rule="CC-4 reminder before due", run=run, before_update=_high_value_alerts,
            sms=("credit_reminder", f"credit-remind:{today}", lambda a: {
                "account_tail": account_tail(a.external_id), "due": str(a.due_date or a.balance_valid_until),
                "amount": a.amount_due if a.kind != K.PREPAID else a.balance}))

    # CC-4 half-suspension for 24 h, with the SMS giving the status, the full-suspension time and the amount
    counts["half_suspended"] = _step(
        name="half", qs=base.filter(status=A.ACTIVE).filter(_in_arrears(today)),
        update={"status": A.HALF_SUSPENDED, "status_since": now}, action=Act.HALF_SUSPEND,
        rule="CC-4 in arrears → 24 h half-suspension", run=run, before_update=_high_value_alerts,
        sms=("credit_half_suspension", f"credit-half:{today}", lambda a: {
            "account_tail": account_tail(a.external_id),
            "until": timezone.localtime(half_until).strftime("%m-%d %H:%M"),
            "amount": a.amount_due if a.kind != K.PREPAID else -a.balance}),
        reason=lambda a: f"amount_due={a.amount_due} balance={a.balance}")

    # CC-2/CC-3 full suspension after the half-suspension period
    counts["suspended"] = _step(
        name="suspend", qs=base.filter(status=A.HALF_SUSPENDED, status_since__lte=now - dt.timedelta(
            hours=s["half_hours"])).filter(_in_arrears(today)),
        update={"status": A.SUSPENDED, "status_since": now}, action=Act.SUSPEND,
        rule="CC-2/CC-3 still in arrears after half-suspension", run=run)

    # resume accounts that paid (normally done in real time by payment_record; this catches the rest)
    counts["resumed"] = _step(
        name="resume", qs=BillingAccount.objects.filter(status__in=[A.HALF_SUSPENDED, A.SUSPENDED]).filter(
            _paid_up(today)), update={"status": A.ACTIVE, "status_since": now}, action=Act.RESUME,
        rule="CC-2/CC-3 paid up", run=run)

    # CC-2/CC-3 disconnect work order after 90 days suspended; CC-3 instalment end
    counts["disconnected"] = _step(
        name="disconnect", qs=base.filter(status=A.SUSPENDED).filter(
            Q(status_since__lte=now - dt.timedelta(days=s["disconnect_days"]))
            | Q(instalment_end__isnull=False, instalment_end__lte=today)),
        update={"status": A.DISCONNECTED, "status_since": now}, action=Act.DISCONNECT,
        rule="CC-2/CC-3 suspended 90 days or instalments ended", run=run)
    counts.update(_packages_follow(now=now, run=run))
    counts["bonus_voided"] = _step(
        name="bonus", qs=BillingAccount.objects.filter(noncash_balance__gt=0, noncash_expires_on__lt=today),
        update={"noncash_balance": Decimal(0)}, action=Act.BONUS_VOID, rule="CC-8 expired bonus voided, no revenue",
        run=run, reason=lambda a: f"voided {a.noncash_balance}")
    return counts


def _packages_follow(*, now: dt.datetime, run=None) -> dict[str, int]:
    """CC-7: the base products of a tight package share one state (同停同复): any base suspended or
    half-suspended pulls the others with it; when all are paid up the resume step frees them together.
    A disconnected base cancels add-on discounts and dissolves a loose bundle."""
    out = {"package_followers": 0, "discounts_cancelled": 0, "bundles_dissolved": 0}
    for status in (A.SUSPENDED, A.HALF_SUSPENDED):
        leaders = BillingAccount.objects.filter(package__kind=Package.Kind.TIGHT, package__dissolved_at__isnull=True,
                                                package_role="base", status=status).values("package_id")
        followers = BillingAccount.objects.filter(package_id__in=leaders, package_role="base", exempt=False,
                                                  status=A.ACTIVE)
        out["package_followers"] += _step(
            name="follow", qs=followers, update={"status": status, "status_since": now},
            action=Act.SUSPEND if status == A.SUSPENDED else Act.HALF_SUSPEND,
            rule="CC-7 tight package: base products together", run=run)
    dead = BillingAccount.objects.filter(package_role="base", status=A.DISCONNECTED,
                                         package__dissolved_at__isnull=True).values("package_id")
    out["discounts_cancelled"] = _step(
        name="discount", qs=BillingAccount.objects.filter(package_id__in=dead, package_role="addon",
                                                          discount_cancelled=False),
        update={"discount_cancelled": True}, action=Act.DISCOUNT_CANCEL,
        rule="CC-7 base disconnected: add-on discount cancelled", run=run)
    loose = Package.objects.filter(pk__in=dead, kind=Package.Kind.LOOSE, dissolved_at__isnull=True)
    ids = list(loose.values_list("pk", flat=True))
    if ids:
        with transaction.atomic():
            n = Package.objects.filter(pk__in=ids, dissolved_at__isnull=True).update(dissolved_at=now)
            CreditOrder.objects.bulk_create([CreditOrder(account=a, action=Act.PACKAGE_DISSOLVE, job_run=run,
                                                         rule="CC-7 loose bundle dissolved")
                                             for a in BillingAccount.objects.filter(package_id__in=ids, package_role="base")])
        out["bundles_dissolved"] = n
    return out


# ---- real-time events -------------------------------------------------------------------------
def _resume_if_paid(account: BillingAccount, *, by=None, rule: str) -> bool:
    today = timezone.localdate()
    if account.status not in (A.HALF_SUSPENDED, A.SUSPENDED):
        return False
    if not BillingAccount.objects.filter(pk=account.pk).filter(_paid_up(today)).exists():
        return False
    accounts = [account]
    if account.package_id and account.package_role == "base" and account.package.kind == Package.Kind.TIGHT:
        accounts = list(BillingAccount.objects.filter(package=account.package, package_role="base",
                                                      status__in=[A.HALF_SUSPENDED, A.SUSPENDED]))
        if not all(BillingAccount.objects.filter(pk=a.pk).filter(_paid_up(today)).exists() for a in accounts):
            return False  # 同停同复: resume together only when the whole base is paid up
    now = timezone.now()
    BillingAccount.objects.filter(pk__in=[a.pk for a in accounts]).update(status=A.ACTIVE, status_since=now)
    CreditOrder.objects.bulk_create([CreditOrder(account=a, action=Act.RESUME, rule=rule, by=by) for a in accounts])
    return True


@transaction.atomic
def payment_record(*, account: BillingAccount, amount: Decimal, external_id: str | None = None,
                   kind: str | None = None, validity_days: int = 0, paid_at: dt.datetime | None = None, by=None
                   ) -> tuple[Payment, bool]:
    """A payment or recharge from billing (CC-2/CC-3): applied once per external id; an account that
    is paid up resumes at once, in this transaction. Returns (payment, created)."""
    amount = Decimal(amount)
    if amount <= 0:
        raise ApplicationError(_("The amount must be positive."))
    account = BillingAccount.objects.select_for_update(of=("self",)).select_related("package").get(pk=account.pk)
    kind = kind or (Payment.Kind.RECHARGE if account.kind == K.PREPAID else Payment.Kind.PAYMENT)
    external_id = external_id or f"portal-{account.pk}-{timezone.now().timestamp()}"
    existing = Payment.objects.filter(external_id=external_id).first()
    if existing is not None:
        return existing, False
    payment = Payment.objects.create(external_id=external_id, account=account, kind=kind, amount=amount,
                                     validity_days=validity_days, paid_at=paid_at or timezone.now())
    if account.kind == K.PREPAID:
        account.cash_balance += amount
        if validity_days:
            start = max(account.balance_valid_until or timezone.localdate(), timezone.localdate())
            account.balance_valid_until = start + dt.timedelta(days=validity_days)
    else:
        account.amount_due = max(Decimal(0), account.amount_due - amount)
        if account.amount_due == 0:
            account.arrears_since = None
    account.save(update_fields=["cash_balance", "balance_valid_until", "amount_due", "arrears_since", "updated_at"])
    _resume_if_paid(account, by=by, rule="CC-2/CC-3 resume in real time on payment")
    return payment, True


def account_charge(*, account: BillingAccount, amount: Decimal) -> BillingAccount:
    """CC-8: a charge spends the non-cash (bonus) ledger first, then cash."""
    amount = Decimal(amount)
    with transaction.atomic():
        a = BillingAccount.objects.select_for_update().get(pk=account.pk)
        from_bonus = min(a.noncash_balance, amount)
        a.noncash_balance -= from_bonus
        a.cash_balance -= amount - from_bonus
        a.save(update_fields=["noncash_balance", "cash_balance", "updated_at"])
    return a


@transaction.atomic
def emergency_resume(*, account: BillingAccount, by, reason: str) -> BillingAccount:
    """CC-5: an AM vouches for a key person; the line resumes at once and credit control leaves it
    alone for the grace period."""
    if not by.has_role("am", "admin"):
        raise ApplicationError(_("Only an account manager vouches for an emergency resume."), status_code=403)
    if not reason.strip():
        raise ApplicationError(_("Give the reason (lost phone, temporary arrears …)."))
    a = BillingAccount.objects.select_for_update().get(pk=account.pk)
    if not Member.objects.filter(account=a, contact__isnull=False).exists():
        raise ApplicationError(_("Emergency resume is for the lines of key persons (CC-5)."))
    if a.status not in (A.HALF_SUSPENDED, A.SUSPENDED):
        raise TransitionError(_("The account is not suspended."))
    a.status, a.status_since = A.ACTIVE, timezone.now()
    a.grace_until = timezone.now() + dt.timedelta(days=_settings()["grace_days"])
    a.save(update_fields=["status", "status_since", "grace_until", "updated_at"])
    CreditOrder.objects.create(account=a, action=Act.EMERGENCY_RESUME, rule="CC-5 emergency resume", by=by,
                               reason=reason.strip()[:300])
    return a


@transaction.atomic
def suspension_delay(*, account: BillingAccount, by, until: dt.datetime, reason: str) -> BillingAccount:
    """CC-6: the AM grants a high-value member a delayed suspension."""
    if not by.has_role("am", "leader", "manager", "admin"):
        raise ApplicationError(_("Only the account manager or a supervisor grants a delay."), status_code=403)
    if until <= timezone.now() or until > timezone.now() + dt.timedelta(days=31):
        raise ApplicationError(_("Delay by up to a month."))
    if not reason.strip():
        raise ApplicationError(_("Give the reason for the delay."))
    a = BillingAccount.objects.select_for_update().get(pk=account.pk)
    a.delay_until = until
    a.save(update_fields=["delay_until", "updated_at"])
    CreditOrder.objects.create(account=a, action=Act.DELAY, rule="CC-6 delay for a high-value member", by=by,
                               reason=f"until {until:%Y-%m-%d}: {reason.strip()}"[:300])
    return a


def arrears_snapshot_take(*, month: dt.date) -> int:
    """CC-9: freeze the arrears ageing at the end of `month` (idempotent: once per month and account).
    Counted on network excludes postpaid arrears of 3 months or more (000)."""
    month = month.replace(day=1)
    if ArrearsSnapshot.objects.filter(month=month).exists():
        return 0
    month_end = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    rows = []
    # An account whose arrears began after the month's end was not in arrears at the month's end: it
    # is not in that month's snapshot (its ageing would be negative; issue 13 item 1).
    for acc_id, gid, kind, due, since, bal_cash, bal_bonus in BillingAccount.objects.filter(
            Q(amount_due__gt=0) | Q(cash_balance__lt=0)).exclude(status=A.DISCONNECTED).exclude(
            arrears_since__gt=month_end).values_list(
            "pk", "group_id", "kind", "amount_due", "arrears_since", "cash_balance", "noncash_balance").iterator(
            chunk_size=BATCH):
        amount = due if kind != K.PREPAID else max(Decimal(0), -(bal_cash + bal_bonus))
        if amount <= 0:
            continue
        overdue = (month_end - since).days if since else 0  # >= 0: later arrears are excluded above
        ageing = overdue // 30
        rows.append(ArrearsSnapshot(month=month, account_id=acc_id, group_id=gid, kind=kind, amount_due=amount,
                                    ageing_months=ageing, overdue_days=overdue,
                                    counted_on_network=not (kind != K.PREPAID and ageing >= 3)))
    # No ignore_conflicts: it hid rows SQLite dropped on the ageing check. Once per month is the
    # exists() above, inside the close's transaction and under the monthly_close lock.
    ArrearsSnapshot.objects.bulk_create(rows, batch_size=BATCH)
    return len(rows)


def credit_control_python_loop(*, now: dt.datetime | None = None) -> int:
    """The naive per-account ORM loop the benchmark compares against (half-suspension rule only)."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    n = 0
    for a in BillingAccount.objects.filter(controllable(now), status=A.ACTIVE):
        arrears = (a.kind == K.PREPAID and (a.balance < 0 or (a.balance_valid_until and a.balance_valid_until < today))) \
            or (a.kind != K.PREPAID and a.amount_due > 0 and a.due_date and a.due_date < today)
        if arrears:
            a.status, a.status_since = A.HALF_SUSPENDED, now
            a.save(update_fields=["status", "status_since"])
            CreditOrder.objects.create(account=a, action=Act.HALF_SUSPEND, rule="loop")
            n += 1
    return n
