"""Retention warnings (SPEC RET-2..5, JOB-4, JOB-6), set-based.

The monthly scan reads, in ONE SQL statement, every member whose month crosses a RET-2 threshold
against the average of the previous three months (the database does the comparison over the whole
usage table); Python only turns the candidate rows into alerts, which are inserted in batches with
INSERT … ON CONFLICT DO NOTHING on the merge key (type, subject, period): duplicates merge, and a
second run inserts nothing.
"""
from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.exceptions import ApplicationError, TransitionError
from portal.policy import policies
from portal.workdays import deadline_end_of_nth_workday

from ...models import CompetitorContract, GroupCustomer, Member
from ..models import AlertAction, RetentionAlert

T = RetentionAlert.Type
BATCH = 5000


def month_start(d: dt.date) -> dt.date:
    return d.replace(day=1)


def add_months(d: dt.date, n: int) -> dt.date:
    m = d.month - 1 + n
    return dt.date(d.year + m // 12, m % 12 + 1, 1)


class _Due:
    """Due dates in working days (RET-3), one calendar snapshot per run."""

    def __init__(self, now: dt.datetime):
        p = policies("retention.alert_due_workdays_level1", "retention.alert_due_workdays_level2")
        self.days = {1: p["retention.alert_due_workdays_level1"], 2: p["retention.alert_due_workdays_level2"]}
        self.now = now
        self._cache: dict[int, dt.datetime] = {}

    def __call__(self, level: int) -> dt.datetime:
        if level not in self._cache:
            self._cache[level] = deadline_end_of_nth_workday(self.now, int(self.days[level]))
        return self._cache[level]


_ALERT_COLUMNS = ("type", "level", "subject_key", "period", "group_id", "member_id", "contact_id", "evidence",
                  "assigned_am_id", "due_at", "status", "outcome", "created_at")
_ROWS_PER_STATEMENT = 1000


def _insert_rows(rows: list[tuple]) -> int:
    """INSERT … ON CONFLICT DO NOTHING on the merge key (type, subject, period), many rows per
    statement; returns how many were new. Rows are tuples in _ALERT_COLUMNS order without status,
    outcome and created_at, with the evidence already JSON: at 300 000 candidates a month the model
    instances and bulk_create cost more than the scan itself (issue 6 bench)."""
    if not rows:
        return 0
    if connection.vendor == "postgresql":
        return _insert_rows_copy(rows)
    table = RetentionAlert._meta.db_table
    now = timezone.now()
    evidence = "%s::jsonb" if connection.vendor == "postgresql" else "%s"
    one = "(" + ", ".join([evidence if c == "evidence" else "%s" for c in _ALERT_COLUMNS]) + ")"
    created = 0
    with connection.cursor() as cur:
        for i in range(0, len(rows), _ROWS_PER_STATEMENT):
            chunk = rows[i:i + _ROWS_PER_STATEMENT]
            params = [v for r in chunk for v in (*r, RetentionAlert.Status.OPEN, "", now)]
            cur.execute(f"INSERT INTO {table} ({', '.join(_ALERT_COLUMNS)}) VALUES {', '.join([one] * len(chunk))} "
                        "ON CONFLICT (type, subject_key, period) DO NOTHING", params)
            created += max(cur.rowcount, 0)
    return created


_STAGE = "retention_alert_stage"


def _insert_rows_copy(rows: list[tuple]) -> int:
    """PostgreSQL: COPY the rows into a session temp table, then one INSERT … SELECT … ON CONFLICT DO
    NOTHING. Binding 13 000 parameters per statement cost more than the whole scan (profiled)."""
    table = RetentionAlert._meta.db_table
    cols = ", ".join(_ALERT_COLUMNS[:10])
    with connection.cursor() as cur:
        cur.execute(f"CREATE TEMP TABLE IF NOT EXISTS {_STAGE} (type varchar(24), level smallint, "
                    "subject_key varchar(40), period varchar(10), group_id bigint, member_id bigint, "
                    "contact_id bigint, evidence jsonb, assigned_am_id bigint, due_at timestamptz)")
        cur.execute(f"TRUNCATE {_STAGE}")
        with cur.cursor.copy(f"COPY {_STAGE} ({cols}) FROM STDIN") as copy:
            for r in rows:
                copy.write_row(r)
        cur.execute(f"INSERT INTO {table} ({', '.join(_ALERT_COLUMNS)}) SELECT {cols}, %s, '', %s FROM {_STAGE} "
                    "ON CONFLICT (type, subject_key, period) DO NOTHING",
                    [RetentionAlert.Status.OPEN, timezone.now()])
        created = max(cur.rowcount, 0)
        cur.execute(f"TRUNCATE {_STAGE}")
    return created


def _insert(alerts: list[RetentionAlert]) -> int:
    """Insert alert instances, merging duplicates on (type, subject, period). Returns how many were new."""
    return _insert_rows([(a.type, a.level, a.subject_key, a.period, a.group_id, a.member_id, a.contact_id,
                          json.dumps(a.evidence, ensure_ascii=False), a.assigned_am_id, a.due_at) for a in alerts])


def _pct(x) -> Decimal:
    return Decimal(x) / Decimal(100)


MEMBER_SCAN_SQL = """
WITH prev AS (
    SELECT member_id, AVG(revenue) AS rev, AVG(minutes) AS mou, AVG(data_mb) AS data
    FROM groupclients_usagemonth
    WHERE month >= %(prev_from)s AND month < %(month)s
    GROUP BY member_id
)
SELECT u.member_id, m.group_id, m.vip_tier, m.contact_id, g.account_manager_id,
       u.revenue, u.minutes, u.data_mb, u.outgoing_calls, u.forwarding_days, u.competitor_hotline_seconds,
       p.rev, p.mou, p.data
FROM groupclients_usagemonth u
JOIN groupclients_member m ON m.id = u.member_id
JOIN groupclients_groupcustomer g ON g.id = m.group_id
LEFT JOIN prev p ON p.member_id = u.member_id
WHERE u.month = %(month)s AND m.status = 'active' AND g.status <> 'churned' AND (
       u.revenue = 0 OR u.outgoing_calls = 0
    OR u.forwarding_days >= %(fwd)s OR u.competitor_hotline_seconds >= %(hotline)s
    OR (p.rev > 0 AND u.revenue <= p.rev * %(rev_keep)s)
    OR (p.mou > 0 AND u.minutes <= p.mou * %(mou_keep)s)
    OR (p.data > 0 AND u.data_mb <= p.data * %(data_keep)s))
"""


def _member_rules(row, t) -> list[tuple[str, dict]]:
    (_mid, _gid, _vip, _cid, _am, rev, mou, data, outgoing, fwd, hotline, prev_rev, prev_mou, prev_data) = row
    rev, prev_rev = Decimal(rev), (Decimal(prev_rev) if prev_rev is not None else None)
    fired = []
    if rev == 0:
        fired.append((T.ZERO_CHARGE, {"revenue": "0"}))
    if outgoing == 0:
        fired.append((T.NO_OUTGOING, {"outgoing_calls": 0}))
    if fwd >= t["fwd"]:
        fired.append((T.FORWARDING, {"forwarding_days": fwd, "threshold": t["fwd"]}))
    if hotline >= t["hotline"]:
        fired.append((T.COMPETITOR_HOTLINE, {"call_seconds": hotline, "threshold": t["hotline"]}))
    if prev_rev and prev_rev > 0 and rev <= prev_rev * t["rev_keep"] and rev > 0:
        fired.append((T.ARPU_DROP, {"revenue": str(rev), "avg_3m": str(round(prev_rev, 2)),
                                    "drop_pct": str(round((1 - rev / prev_rev) * 100, 1))}))
    if prev_mou and prev_mou > 0 and Decimal(mou) <= Decimal(prev_mou) * t["mou_keep"]:
        fired.append((T.MOU_DROP, {"minutes": mou, "avg_3m": str(round(Decimal(prev_mou), 1)),
                                   "drop_pct": str(round((1 - Decimal(mou) / Decimal(prev_mou)) * 100, 1))}))
    if prev_data and prev_data > 0 and Decimal(data) <= Decimal(prev_data) * t["data_keep"]:
        fired.append((T.DATA_DROP, {"data_mb": data, "avg_3m": str(round(Decimal(prev_data), 1)),
                                    "drop_pct": str(round((1 - Decimal(data) / Decimal(prev_data)) * 100, 1))}))
    return fired


def _thresholds() -> dict:
    p = policies("retention.arpu_drop_percent", "retention.mou_drop_percent", "retention.data_drop_percent",
                 "retention.forwarding_days", "retention.competitor_hotline_call_seconds",
                 "retention.group_retention_rate_percent", "retention.group_revenue_drop_percent")
    return {
        "rev_keep": 1 - _pct(p["retention.arpu_drop_percent"]),
        "mou_keep": 1 - _pct(p["retention.mou_drop_percent"]),
        "data_keep": 1 - _pct(p["retention.data_drop_percent"]),
        "fwd": int(p["retention.forwarding_days"]),
        "hotline": int(p["retention.competitor_hotline_call_seconds"]),
        "retention_rate": _pct(p["retention.group_retention_rate_percent"]),
        "group_rev_keep": 1 - _pct(p["retention.group_revenue_drop_percent"]),
    }


def retention_scan_members(*, month: dt.date, now: dt.datetime | None = None,
                           types: Iterable[str] | None = None) -> dict[str, int]:
    """RET-2 member rules for one month of usage. Level 1 for VIPs and competitor-hotline calls."""
    now = now or timezone.now()
    t = _thresholds()
    due = _Due(now)
    month = month_start(month)
    wanted = set(types) if types else None
    params = {"month": month, "prev_from": add_months(month, -3), "fwd": t["fwd"], "hotline": t["hotline"],
              "rev_keep": t["rev_keep"], "mou_keep": t["mou_keep"], "data_keep": t["data_keep"]}
    period = month.strftime("%Y-%m")
    alerts: list[tuple] = []
    candidates = 0
    dumps = json.JSONEncoder(ensure_ascii=False).encode
    created = 0
    with connection.cursor() as cur:
        cur.execute(MEMBER_SCAN_SQL, params)
        while True:
            rows = cur.fetchmany(BATCH)
            if not rows:
                break
            for row in rows:
                candidates += 1
                member_id, group_id, vip, contact_id, am_id = row[:5]
                for type_, evidence in _member_rules(row, t):
                    if wanted and type_ not in wanted:
                        continue
                    level = 1 if (vip or type_ == T.COMPETITOR_HOTLINE) else 2
                    evidence["vip"] = vip or None
                    alerts.append((type_, level, f"m:{member_id}", period, group_id, member_id, contact_id,
                                   dumps(evidence), am_id, due(level)))
            if len(alerts) >= BATCH:
                created += _insert_rows(alerts)
                alerts = []
    created += _insert_rows(alerts)
    # examined_*: what the scan looked at, for the record; *_new: what it wrote (issue 13 item 2)
    return {"examined_members": candidates, "member_alerts_new": created}


GROUP_SQL = """
WITH mem AS (
    SELECT group_id,
           COUNT(*) FILTER (WHERE status = 'active') AS now_n,
           COUNT(*) FILTER (WHERE (joined_on IS NULL OR joined_on <= %(then)s)
                              AND (left_on IS NULL OR left_on > %(then)s)) AS then_n
    FROM groupclients_member
    GROUP BY group_id
), use AS (
    SELECT m.group_id,
           SUM(u.revenue) FILTER (WHERE u.month = %(month)s) AS rev,
           SUM(u.revenue) FILTER (WHERE u.month >= %(prev_from)s AND u.month < %(month)s) / 3 AS prev_rev,
           COUNT(*) FILTER (WHERE u.month = %(month)s AND u.forwarding_days >= %(fwd)s) AS fwd_n
    FROM groupclients_usagemonth u JOIN groupclients_member m ON m.id = u.member_id
    WHERE u.month >= %(prev_from)s AND u.month <= %(month)s
    GROUP BY m.group_id
)
SELECT g.id, g.account_manager_id, COALESCE(mem.now_n, 0) AS now_n, COALESCE(mem.then_n, 0) AS then_n,
       COALESCE(use.rev, 0) AS rev, COALESCE(use.prev_rev, 0) AS prev_rev, COALESCE(use.fwd_n, 0) AS fwd_n
FROM groupclients_groupcustomer g
LEFT JOIN mem ON mem.group_id = g.id
LEFT JOIN use ON use.group_id = g.id
WHERE g.status = 'active'
"""
# One pass over members and one over the four months of usage, grouped by group and hash-joined: the
# earlier form (five correlated sub-selects per group) took minutes at 100 000 groups (issue 6 bench).


def retention_scan_groups(*, month: dt.date, now: dt.datetime | None = None) -> dict[str, int]:
    """RET-2 group rules: retention rate (members now ÷ 3 months ago), revenue drop, bulk forwarding."""
    now = now or timezone.now()
    t = _thresholds()
    due = _Due(now)
    month = month_start(month)
    period = month.strftime("%Y-%m")
    params = {"month": month, "prev_from": add_months(month, -3), "then": add_months(month, -2) - dt.timedelta(days=1),
              "fwd": t["fwd"]}
    alerts = []
    with connection.cursor() as cur:
        cur.execute(GROUP_SQL, params)
        for gid, am_id, now_n, then_n, rev, prev_rev, fwd_n in cur.fetchall():
            rev, prev_rev = Decimal(rev or 0), Decimal(prev_rev or 0)
            if then_n and Decimal(now_n) / Decimal(then_n) < t["retention_rate"]:
                alerts.append((T.GROUP_RETENTION, gid, am_id, {
                    "members_now": now_n, "members_3m_ago": then_n,
                    "rate_pct": str(round(Decimal(now_n) * 100 / Decimal(then_n), 1))}))
            if prev_rev > 0 and rev <= prev_rev * t["group_rev_keep"]:
                alerts.append((T.GROUP_REVENUE_DROP, gid, am_id, {
                    "revenue": str(rev), "avg_3m": str(round(prev_rev, 2)),
                    "drop_pct": str(round((1 - rev / prev_rev) * 100, 1))}))
            if fwd_n >= max(3, (now_n or 0) // 10):  # 异动: at least 3 members and 10 % of the group
                alerts.append((T.BULK_FORWARDING, gid, am_id, {"members_forwarding": fwd_n, "members": now_n}))
    objs = [RetentionAlert(type=tp, level=1, subject_key=f"g:{gid}", period=period, group_id=gid,
                           evidence=ev, assigned_am_id=am, due_at=due(1)) for tp, gid, am, ev in alerts]
    return {"group_alerts_new": _insert(objs)}


def key_moments_scan(*, today: dt.date | None = None, now: dt.datetime | None = None) -> dict[str, int]:
    """RET-5 (JOB-6): competitor contracts ending within the policy's days → a level-2 reminder each."""
    from portal.policy import policy

    today = today or timezone.localdate()
    due = _Due(now or timezone.now())
    horizon = today + dt.timedelta(days=int(policy("retention.contract_expiry_reminder_days")))
    rows = (CompetitorContract.objects.filter(end_on__gte=today, end_on__lte=horizon, group__status="active")
            .values_list("pk", "group_id", "group__account_manager_id", "operator", "category", "end_on"))
    objs = [RetentionAlert(type=T.CONTRACT_EXPIRING, level=2, subject_key=f"c:{pk}", period=end.isoformat(),
                           group_id=gid, assigned_am_id=am, due_at=due(2),
                           evidence={"operator": op, "product": cat, "ends": end.isoformat()})
            for pk, gid, am, op, cat, end in rows]
    return {"contract_alerts_new": _insert(objs)}


def alert_raise(*, type: str, group: GroupCustomer, member: Member | None = None, level: int | None = None,
                evidence: dict | None = None, period: str | None = None) -> RetentionAlert:
    """Raise one alert from an event (new VIP, arrears of a high-value member); merged like the scans."""
    return alert_raise_once(type=type, group=group, member=member, level=level, evidence=evidence, period=period)[0]


def alert_raise_once(*, type: str, group: GroupCustomer, member: Member | None = None, level: int | None = None,
                     evidence: dict | None = None, period: str | None = None) -> tuple[RetentionAlert, bool]:
    """alert_raise, and whether this call created the alert (False: merged into the period's alert)."""
    level = level or (1 if member is not None and member.vip_tier else 2)
    now = timezone.now()
    key = f"m:{member.pk}" if member is not None else f"g:{group.pk}"
    alert, _created = RetentionAlert.objects.get_or_create(
        type=type, subject_key=key, period=period or now.strftime("%Y-%m"),
        defaults={"level": level, "group": group, "member": member, "contact_id": member.contact_id if member else None,
                  "evidence": evidence or {}, "assigned_am_id": group.account_manager_id, "due_at": _Due(now)(level)})
    return alert, _created


@transaction.atomic
def alert_act(*, alert: RetentionAlert, by, kind: str, note: str) -> AlertAction:
    """Log what the AM did (RET-3); the first action moves the alert to in progress."""
    alert = RetentionAlert.objects.select_for_update().get(pk=alert.pk)
    if alert.status in RetentionAlert.CLOSED:
        raise TransitionError(_("This alert is closed."))
    if not note.strip():
        raise ApplicationError(_("Say what you did."))
    action = AlertAction.objects.create(alert=alert, by=by, kind=kind, note=note.strip())
    if alert.status == RetentionAlert.Status.OPEN:
        alert.status = RetentionAlert.Status.IN_PROGRESS
        alert.save(update_fields=["status"])
    return action


@transaction.atomic
def alert_close(*, alert: RetentionAlert, by, outcome: str, status: str) -> RetentionAlert:
    """Close as retained, lost or not a risk, with the outcome (RET-3)."""
    alert = RetentionAlert.objects.select_for_update().get(pk=alert.pk)
    if status not in RetentionAlert.CLOSED:
        raise ApplicationError(_("Close as retained, lost or not a risk."))
    if alert.status in RetentionAlert.CLOSED:
        raise TransitionError(_("This alert is already closed."))
    if not outcome.strip():
        raise ApplicationError(_("Describe the outcome."))
    alert.status, alert.outcome, alert.closed_at = status, outcome.strip(), timezone.now()
    alert.save(update_fields=["status", "outcome", "closed_at"])
    AlertAction.objects.create(alert=alert, by=by, kind="status", note=f"{status}: {outcome.strip()}"[:2000])
    return alert
