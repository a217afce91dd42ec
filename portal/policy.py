"""Policy values (SPEC CFG-1): one accessor with typed defaults, backed by admin-editable overrides.

Every number the SPEC calls a "default" is declared here once, with its type, bounds, heading and
help text in English and Chinese (like pretix's settings registry, `pretix/base/settings.py`).
Code reads a value with `policy("survey.reply_window_hours")`; administrators change it in the
admin site (Policy values), which calls `policy_set`. Tables (visit frequency, SLA, contact
minimums, SMS templates) are models of their own apps, not keys here.

Reading: every `policy()` call is one indexed query on a table of a few dozen rows. We chose that
over a per-process cache because
  * web, Celery worker and beat are separate processes, and without Redis (`make run`) Django's
    cache is per-process, so a cache-based version stamp would not reach the worker;
  * a per-process copy outlives the rolled-back transaction of a test and would leak one test's
    override into the next test of another app;
  * the cost (well under a millisecond) is paid once per job or request, not per row: read the
    values you need before a loop (`policies(...)` fetches several in one query).
So a change is effective in every process at its next read, and there is no cache to invalidate.
"""
from __future__ import annotations

import difflib
import logging
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.functional import Promise
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .audit import audit_log
from .models import AuditEvent, PolicyValue

logger = logging.getLogger(__name__)

# ---- kinds of value -------------------------------------------------------------------------


@dataclass(frozen=True)
class Kind:
    """How a value is typed, bounded, edited and shown."""

    code: str
    python_type: type
    unit: str | Promise = ""
    unit_zh: str = ""
    floor: int | None = None  # hard lower bound for every key of this kind (no negative days)
    ceiling: int | None = None  # hard upper bound (percentages ≤ 100)


INT = Kind("int", int)
DECIMAL = Kind("decimal", Decimal)
BOOL = Kind("bool", bool)
STR = Kind("str", str)
HOURS = Kind("hours", int, _("hours"), "小时", floor=0)
DAYS = Kind("days", int, _("days"), "天", floor=0)
WORKDAYS = Kind("workdays", int, _("working days"), "个工作日", floor=0)
SECONDS = Kind("seconds", int, _("seconds"), "秒", floor=0)
PERCENT = Kind("percent", Decimal, "%", "%", floor=0, ceiling=100)
MONEY = Kind("money", Decimal, _("yuan"), "元", floor=0)
# Points deducted are stored as a positive number; the performance ledger records them as negative.
POINTS = Kind("points", int, _("points"), "分", floor=0)

KINDS = {k.code: k for k in (INT, DECIMAL, BOOL, STR, HOURS, DAYS, WORKDAYS, SECONDS, PERCENT, MONEY, POINTS)}


@dataclass(frozen=True)
class PolicyGroup:
    """A heading of the admin page."""

    code: str
    title: str | Promise
    title_zh: str


VISITS = PolicyGroup("visits", _("Visits and surveys"), "走访与满意度调查")
TICKETS = PolicyGroup("tickets", _("Tickets and SLA"), "故障工单与处理时限")
COMPLAINTS = PolicyGroup("complaints", _("Complaints and consultations"), "咨询与投诉")
RETENTION = PolicyGroup("retention", _("Retention warnings"), "离网预警与关键时刻提醒")
CREDIT = PolicyGroup("credit", _("Credit control"), "信控")
VIP = PolicyGroup("vip", _("VIP and contacts"), "VIP与关键人")
PENALTIES = PolicyGroup("penalties", _("Penalties"), "考核扣分与罚款")
SMS = PolicyGroup("sms", _("Customer SMS"), "客户短信")

GROUPS: list[PolicyGroup] = [VISITS, TICKETS, COMPLAINTS, RETENTION, CREDIT, VIP, PENALTIES, SMS]

_KEY_RE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*(\.[a-z][a-z0-9]*(_[a-z0-9]+)*)+$")


@dataclass(frozen=True)
class PolicyDef:
    """One declared policy value: key, kind, default, bounds, heading and bilingual help."""

    key: str
    kind: Kind
    default: Any
    group: PolicyGroup
    label: str | Promise
    label_zh: str
    help_text: str | Promise
    help_zh: str
    spec: str = ""  # the SPEC rule(s) the value comes from, e.g. "SAT-2"
    min_value: int | Decimal | None = None
    max_value: int | Decimal | None = None
    choices: tuple[tuple[str, str], ...] = field(default=())  # STR kind only

    @property
    def lower(self) -> int | Decimal | None:
        bounds = [b for b in (self.kind.floor, self.min_value) if b is not None]
        return max(bounds) if bounds else None

    @property
    def upper(self) -> int | Decimal | None:
        bounds = [b for b in (self.kind.ceiling, self.max_value) if b is not None]
        return min(bounds) if bounds else None

    def form_field(self, **kwargs: Any) -> forms.Field:
        """The form field an administrator edits this value with; its validators are the rules."""
        kwargs.setdefault("label", self.label)
        kwargs.setdefault("help_text", f"{self.help_text} / {self.help_zh}")
        k = self.kind.python_type
        if k is bool:
            return forms.BooleanField(required=False, **kwargs)
        if k is str:
            if self.choices:
                return forms.ChoiceField(choices=self.choices, **kwargs)
            return forms.CharField(max_length=500, **kwargs)
        bounds = {"min_value": self.lower, "max_value": self.upper}
        if k is int:
            return forms.IntegerField(**bounds, **kwargs)
        return forms.DecimalField(max_digits=12, decimal_places=2, **bounds, **kwargs)

    def clean(self, value: Any) -> Any:
        """Validate and convert (from a Python value or a form string) to the typed value.

        Raises ValidationError with the form field's messages (e.g. a negative number of days).
        """
        if self.kind.python_type is bool and isinstance(value, str):
            # BooleanField reads "False"/"0" as False but any other non-empty string as True;
            # be strict outside forms so a typo cannot silently switch a rule on.
            if value.strip().lower() not in {"true", "false", "1", "0", "on", "off", ""}:
                raise ValidationError(_("Enter true or false."), code="invalid")
            value = value.strip().lower() in {"true", "1", "on"}
        return self.form_field().clean(value)

    def to_json(self, value: Any) -> Any:
        """The stored (JSON) form of a clean value. Decimals as strings so nothing is rounded."""
        if isinstance(value, Decimal):
            return format(value.normalize(), "f")  # Decimal("30.00") → "30", Decimal("12.50") → "12.5"
        return value

    def display(self, value: Any) -> str:
        """The value with its unit in the current language, e.g. "72 小时" or "30 %"."""
        if self.kind.python_type is bool:
            return str(_("Yes") if value else _("No"))
        shown = self.to_json(value)
        if self.kind is MONEY:
            return f"¥{shown}"
        unit = self.kind.unit_zh if (get_language() or "").startswith("zh") else str(self.kind.unit)
        return f"{shown} {unit}" if unit else str(shown)


# ---- the registry ---------------------------------------------------------------------------

REGISTRY: dict[str, PolicyDef] = {}


def register(d: PolicyDef) -> PolicyDef:
    """Declare a policy key. Refuses duplicates, malformed keys and defaults that break their own rules.

    Other apps may declare their own keys at import time (e.g. in `<app>/policies.py` imported from
    their AppConfig.ready) so the admin page lists them.
    """
    key = d.key
    if not _KEY_RE.match(key) or "__" in key:
        raise ValueError(f"policy key {key!r} must be dotted lower_snake_case: 'survey.reply_window_hours'")
    if key in REGISTRY:
        raise ValueError(f"policy key {key!r} is registered twice")
    if d.group not in GROUPS:
        raise ValueError(f"policy key {key!r}: unknown group {d.group.code!r}")
    if not d.help_zh or not d.label_zh:
        raise ValueError(f"policy key {key!r} needs a Chinese label and help text")
    try:
        cleaned = d.clean(d.default)
    except ValidationError as exc:
        raise ValueError(f"policy key {key!r}: default {d.default!r} is invalid: {exc.messages}") from exc
    if cleaned != d.default or type(cleaned) is not type(d.default):
        raise ValueError(f"policy key {key!r}: default must be a {d.kind.python_type.__name__}")
    REGISTRY[key] = d
    return d


def definition(key: str) -> PolicyDef:
    """The declaration of `key`; KeyError naming close matches when it is not registered."""
    try:
        return REGISTRY[key]
    except KeyError:
        close = difflib.get_close_matches(key, REGISTRY, n=3)
        hint = f" Did you mean {', '.join(repr(c) for c in close)}?" if close else ""
        raise KeyError(
            f"Unknown policy key {key!r}: it is not declared in the policy registry (portal/policy.py).{hint}"
        ) from None


def grouped_definitions() -> list[tuple[PolicyGroup, list[PolicyDef]]]:
    """Every registered key under its heading, headings in GROUPS order, keys in declaration order."""
    return [(g, [d for d in REGISTRY.values() if d.group == g]) for g in GROUPS]


def _decode(d: PolicyDef, raw: Any) -> Any:
    try:
        return d.clean(raw)
    except ValidationError as exc:
        # A stored value that no longer passes (e.g. bounds tightened in a release) must not stop a
        # job: use the default and say so loudly.
        logger.error("policy %s: stored value %r is invalid (%s); using the default %r",
                     d.key, raw, "; ".join(exc.messages), d.default)
        return d.default


def policy(key: str) -> Any:
    """The current value of `key`: the administrator's override, or the declared default.

    Typed by kind: int for hours/days/working days/seconds/points, Decimal for percentages and
    money, bool, str. Raises KeyError for an unregistered key. One query; see the module docstring.
    """
    d = definition(key)
    rows = list(PolicyValue.objects.filter(key=key).values_list("value", flat=True)[:1])
    return _decode(d, rows[0]) if rows else d.default


def policies(*keys: str) -> dict[str, Any]:
    """Several values in one query: `{key: value}`. Raises KeyError for any unregistered key."""
    defs = [definition(k) for k in keys]
    stored = dict(PolicyValue.objects.filter(key__in=keys).values_list("key", "value"))
    return {d.key: _decode(d, stored[d.key]) if d.key in stored else d.default for d in defs}


def current_values() -> dict[str, Any]:
    """Every registered key's current value (one query); for pages that show them all."""
    return policies(*REGISTRY)


# ---- writing --------------------------------------------------------------------------------


def _store(d: PolicyDef, value: Any, by) -> tuple[Any, Any]:
    """Write the clean `value` (or delete the row when it equals the default). Returns (old, new)."""
    row = PolicyValue.objects.select_for_update().filter(key=d.key).first()
    old = _decode(d, row.value) if row else d.default
    if value == d.default:
        # Only overrides are stored: the registry default stays the single source for the rest.
        if row:
            row.delete()
    elif row is None:
        row = PolicyValue(key=d.key, value=d.to_json(value), updated_by=by)
        row.full_clean()
        row.save()
    elif row.value != d.to_json(value):
        row.value, row.updated_by = d.to_json(value), by
        row.full_clean()
        row.save(update_fields=["value", "updated_by", "updated_at"])
    return old, value


@transaction.atomic
def policy_row_save(row, *, fields: tuple[str, ...], identity: tuple[str, ...] = (), key, by=None, request=None,
                    old_if_new: Any = None) -> bool:
    """Save one row of a policy table (visit frequency, SLA, contact minimums: CFG-1), audited.

    Guarantees: an existing row is locked and keeps its `identity` fields (they say which cell it
    is); the row passes `full_clean` or ValidationError and nothing is written; when the `fields`
    really change (or the row is new) it is saved and one POLICY_CHANGED audit event records the
    value before (`old_if_new` for a new row, e.g. the SPEC default) and after — one value for a
    single field, a dict for several — in the same transaction. `key` is the audit key, or a
    function of the row. Returns whether anything was written.
    """

    def values(obj):
        return getattr(obj, fields[0]) if len(fields) == 1 else {name: getattr(obj, name) for name in fields}

    old = old_if_new
    if row.pk:
        current = type(row)._default_manager.select_for_update(of=("self",)).get(pk=row.pk)
        for name in identity:
            setattr(row, name, getattr(current, name))
        old = values(current)
    row.full_clean()
    new = values(row)
    if row.pk and old == new:
        return False
    row.save()
    audit_log(action=AuditEvent.Action.POLICY_CHANGED, actor=by, request=request, target=row,
              key=key(row) if callable(key) else key, old=old, new=new)
    return True


@transaction.atomic
def policy_set(*, key: str, value: Any, by=None, request=None) -> Any:
    """Set policy `key` to `value` for every process, from their next read on.

    Guarantees: the value is validated by the key's rules (ValidationError with the form field's
    message otherwise, nothing written); a value equal to the default removes the override; a real
    change writes one audit event (POLICY_CHANGED: key, old, new, who) in the same transaction;
    setting the current value again changes and logs nothing. Returns the clean typed value.
    """
    d = definition(key)
    clean = d.clean(value)
    old, new = _store(d, clean, by)
    if old != new:
        audit_log(
            action=AuditEvent.Action.POLICY_CHANGED, actor=by, request=request,
            target_type="policy", target_id=key, key=key, old=d.to_json(old), new=d.to_json(new),
        )
    return clean


def policy_reset(*, key: str, by=None, request=None) -> Any:
    """Remove the override of `key` (back to the default), audited like `policy_set`. Returns the default."""
    return policy_set(key=key, value=definition(key).default, by=by, request=request)


@contextmanager
def override_policy(values: Mapping[str, Any] | None = None, /, **kwargs: Any) -> Iterator[None]:
    """Test helper: policy values in force for the duration of a `with` block (needs the database).

        with override_policy({"survey.reply_window_hours": 48}):      # dotted keys in a dict
        with override_policy(survey__reply_window_hours=48):          # or "__" for the dots

    Values are validated like `policy_set` and written to the table, so code under test, eager
    Celery tasks and workers in the same database all see them. Not audited; the previous state is
    put back on exit. Usable as a decorator too.
    """
    wanted = {**(values or {}), **{k.replace("__", "."): v for k, v in kwargs.items()}}
    cleaned = {key: definition(key).clean(v) for key, v in wanted.items()}
    before = dict(PolicyValue.objects.filter(key__in=cleaned).values_list("key", "value"))
    with transaction.atomic():
        for key, v in cleaned.items():
            _store(definition(key), v, None)
    try:
        yield
    finally:
        with transaction.atomic():
            PolicyValue.objects.filter(key__in=cleaned).delete()
            PolicyValue.objects.bulk_create(PolicyValue(key=k, value=v) for k, v in before.items())


# ---- the declared values (SPEC "default" numbers) ------------------------------------------
# Keys are "<heading prefix>.<what>_<unit>": the unit in the name tells the reader what the int means.

register(PolicyDef(
    "survey.reply_window_hours", HOURS, 72, VISITS,
    _("Survey reply window"), "满意度短信回复时限",
    _("A satisfaction survey with no reply after this many hours is marked unanswered."),
    "满意度调查短信发出后超过该小时数仍未回复，记为未回复。",
    spec="SAT-2", min_value=1, max_value=720,
))
register(PolicyDef(
    "survey.repair_deadline_workdays", WORKDAYS, 2, VISITS,
    _("Satisfaction-repair deadline"), "满意修复时限",
    _("After a 'fair' or 'poor' reply the branch group-department manager (or above) must revisit "
      "with the AM by the end of this many mainland-China working days after the reply."),
    "收到“一般”或“很差”回复后，集团部经理或以上领导须在回复后该数量的工作日内（按法定节假日和调休）"
    "陪同客户经理上门修复。",
    spec="SAT-3", min_value=1, max_value=30,
))

register(PolicyDef(
    "visit.log_backdate_days", DAYS, 31, VISITS,
    _("Back-dating window of a visit log"), "走访日志补录时限",
    _("A visit log may record a visit that started at most this many days ago; older visits would "
      "rewrite the compliance of closed periods (issue 12 item 10)."),
    "走访日志只能补录开始时间在该天数以内的走访，更早的走访会改写已结束周期的达标情况。",
    spec="VIS-2, VIS-3", min_value=1, max_value=366,
))

register(PolicyDef(
    "ticket.phone_participation_revisit_days", DAYS, 2, TICKETS,
    _("Revisit after joining a fault visit by phone"), "电话参与后补访时限",
    _("When the AM joins a remote site's fault visit by phone, they must revisit the customer within "
      "this many days, or the ticket counts as not participated."),
    "客户经理对偏远站点故障以电话方式参与时，须在该天数内补充回访，否则计为未参与。",
    spec="TKT-5", min_value=1, max_value=30,
))

register(PolicyDef(
    "complaint.consultation_answer_hours", HOURS, 24, COMPLAINTS,
    _("Consultation answer time"), "咨询答复时限",
    _("A consultation not answered at once is answered within this many hours, at an agreed second contact."),
    "不能当场答复的咨询，与客户约定再次联系时间，在该小时数内答复。",
    spec="CMP-1", min_value=1, max_value=720,
))
register(PolicyDef(
    "complaint.received_backdate_hours", HOURS, 72, COMPLAINTS,
    _("Back-dating window of a complaint"), "投诉受理时间补录时限",
    _("When recording a complaint, its received time may lie at most this many hours in the past. "
      "The received time decides the due times and the month of an unrecorded-escalation penalty "
      "(CMP-4), so a record cannot land in a month long gone (issue 12 item 3)."),
    "登记投诉时，受理时间最多可早于当前时间该小时数。受理时间决定答复时限和投诉未记录扣分所在月份，"
    "不能补录到早已过去的月份。",
    spec="CMP-2, CMP-4", min_value=1, max_value=720,
))
register(PolicyDef(
    "complaint.on_the_spot_hours", HOURS, 1, COMPLAINTS,
    _("On-the-spot resolution time"), "现场解决时限",
    _("A complaint raised during a visit is resolved on the spot within this many hours where possible."),
    "走访中客户提出的投诉，能当场解决的在该小时数内解决。",
    spec="CMP-2", min_value=1, max_value=24,
))
register(PolicyDef(
    "complaint.answer_hours", HOURS, 24, COMPLAINTS,
    _("Complaint answer time (ordinary)"), "一般投诉答复时限",
    _("A complaint not resolved on the spot is recorded and answered within this many hours."),
    "不能当场解决的投诉，现场记录后在该小时数内答复。",
    spec="CMP-2", min_value=1, max_value=720,
))
register(PolicyDef(
    "complaint.answer_max_hours", HOURS, 72, COMPLAINTS,
    _("Complaint answer time (at the most)"), "投诉答复最长时限",
    _("No complaint waits longer than this many hours for an answer."),
    "任何投诉的答复时间不得超过该小时数。",
    spec="CMP-2", min_value=1, max_value=720,
))

register(PolicyDef(
    "retention.arpu_drop_percent", PERCENT, Decimal("30"), RETENTION,
    _("ARPU drop"), "ARPU下降幅度",
    _("Warn when a member's monthly revenue falls by at least this share of their 3-month average."),
    "成员当月收入较前3个月平均下降达到该比例时预警。",
    spec="RET-2",
))
register(PolicyDef(
    "retention.mou_drop_percent", PERCENT, Decimal("30"), RETENTION,
    _("Minutes-of-use drop"), "通话分钟数(MOU)下降幅度",
    _("Warn when a member's minutes of use fall by at least this share of their 3-month average."),
    "成员当月通话分钟数较前3个月平均下降达到该比例时预警。",
    spec="RET-2",
))
register(PolicyDef(
    "retention.data_drop_percent", PERCENT, Decimal("50"), RETENTION,
    _("Data volume drop"), "流量下降幅度",
    _("Warn when a member's data volume falls by at least this share of their 3-month average."),
    "成员当月流量较前3个月平均下降达到该比例时预警。",
    spec="RET-2",
))
register(PolicyDef(
    "retention.forwarding_days", DAYS, 3, RETENTION,
    _("Call forwarding to another operator"), "呼转异网天数",
    _("Warn when a member forwarded calls to another operator on at least this many days in the month."),
    "成员当月呼叫转移至其他运营商的天数达到该值时预警。",
    spec="RET-2", min_value=1, max_value=31,
))
register(PolicyDef(
    "retention.competitor_hotline_call_seconds", SECONDS, 60, RETENTION,
    _("Call to a competitor's hotline"), "与竞争对手客服热线通话时长",
    _("Warn (level 1, daily) on a call to or from a competitor's service hotline longer than this."),
    "与竞争对手客服热线通话超过该秒数时预警（一级，每日）。",
    spec="RET-2", min_value=1, max_value=3600,
))
register(PolicyDef(
    "retention.group_retention_rate_percent", PERCENT, Decimal("95"), RETENTION,
    _("Group retention rate"), "集团成员保有率",
    _("Warn when a group's members now divided by its members 3 months ago falls below this."),
    "集团当前成员数与3个月前成员数之比低于该比例时预警。",
    spec="RET-2",
))
register(PolicyDef(
    "retention.group_revenue_drop_percent", PERCENT, Decimal("20"), RETENTION,
    _("Group revenue drop"), "集团收入下降幅度",
    _("Warn when a group's monthly revenue falls by at least this share."),
    "集团月收入下降达到该比例时预警。",
    spec="RET-2",
))
register(PolicyDef(
    "retention.alert_due_workdays_level1", WORKDAYS, 3, RETENTION,
    _("Level-1 alert due time"), "一级预警处理时限",
    _("A level-1 retention alert is due this many working days after it is raised."),
    "一级预警自产生起该数量的工作日内须处理完毕。",
    spec="RET-3", min_value=1, max_value=60,
))
register(PolicyDef(
    "retention.alert_due_workdays_level2", WORKDAYS, 7, RETENTION,
    _("Level-2 alert due time"), "二级预警处理时限",
    _("A level-2 retention alert is due this many working days after it is raised."),
    "二级预警自产生起该数量的工作日内须处理完毕。",
    spec="RET-3", min_value=1, max_value=60,
))
register(PolicyDef(
    "retention.contract_expiry_reminder_days", DAYS, 90, RETENTION,
    _("Contract expiry reminder"), "合同到期提醒",
    _("Remind the AM when a competitor contract or marketing agreement ends within this many days."),
    "竞争对手合同或营销协议在该天数内到期时提醒客户经理（关键时刻）。",
    spec="GC-4, RET-5", min_value=1, max_value=730,
))

register(PolicyDef(
    "credit.reminder_days_before_due", DAYS, 3, CREDIT,
    _("Payment reminder before the due date"), "缴费到期前提醒天数",
    _("Send the payment reminder SMS this many days before the agreed due date (0 = on the day)."),
    "在约定缴费日前该天数发送缴费提醒短信（0表示当天）。",
    spec="CC-4", min_value=0, max_value=30,
))
register(PolicyDef(
    "credit.half_suspension_hours", HOURS, 24, CREDIT,
    _("Half-suspension before full suspension"), "半停机时长",
    _("Outgoing calls are barred (incoming allowed) for this many hours before full suspension."),
    "全停机前先半停机（停呼出、保留呼入）的小时数。",
    spec="CC-4", min_value=0, max_value=168,
))
register(PolicyDef(
    "credit.disconnect_after_suspended_days", DAYS, 90, CREDIT,
    _("Disconnect after suspension"), "停机后拆机天数",
    _("A line suspended this many days without recharge or payment gets a disconnect work order."),
    "停机满该天数仍未充值或缴清欠费的，生成拆机工单。",
    spec="CC-2, CC-3", min_value=1, max_value=365,
))
register(PolicyDef(
    "credit.emergency_resume_grace_days", DAYS, 7, CREDIT,
    _("Emergency-resume grace period"), "紧急复机保护期",
    _("After an emergency resume vouched for by an AM, credit control leaves the line alone this many days."),
    "客户经理担保紧急复机后，信控在该天数内不再处理该号码。",
    spec="CC-5", min_value=1, max_value=90,
))

register(PolicyDef(
    "vip.designated_diamond_quota_percent", PERCENT, Decimal("10"), VIP,
    _("Designated diamond VIP quota"), "指定钻石卡VIP比例上限",
    _("Designated diamond VIPs may be at most this share of all designated group VIPs."),
    "指定钻石卡VIP不得超过全部指定集团VIP的该比例。",
    spec="CT-5",
))
register(PolicyDef(
    "vip.designated_gold_quota_percent", PERCENT, Decimal("20"), VIP,
    _("Designated gold VIP quota"), "指定金卡VIP比例上限",
    _("Designated gold VIPs may be at most this share of all designated group VIPs."),
    "指定金卡VIP不得超过全部指定集团VIP的该比例。",
    spec="CT-5",
))

register(PolicyDef(
    "penalty.missed_repair_person_points", POINTS, 5, PENALTIES,
    _("Missed satisfaction repair (person)"), "满意修复超时（责任人）扣分",
    _("Points deducted from the responsible person for a repair not done in time. The handbook gives "
      "no figure; 5 is the portal's default."),
    "满意修复未按时完成，扣责任人的分数。手册未给出分值，5分为系统默认值。",
    spec="SAT-5, PEN-1", max_value=100,
))
register(PolicyDef(
    "penalty.missed_repair_branch_points", POINTS, 5, PENALTIES,
    _("Missed satisfaction repair (branch)"), "满意修复超时（分公司）扣分",
    _("Points deducted from the branch for a repair not done in time. The handbook gives no figure; "
      "5 is the portal's default."),
    "满意修复未按时完成，扣分公司的分数。手册未给出分值，5分为系统默认值。",
    spec="SAT-5, PEN-1", max_value=100,
))
register(PolicyDef(
    "penalty.am_absent_joint_visit_points", POINTS, 2, PENALTIES,
    _("AM absent from a joint fault visit"), "客户经理未参与联合处理扣分",
    _("Points deducted from the AM for each fault ticket counted as not participated."),
    "每张计为客户经理未参与的故障工单扣客户经理的分数。",
    spec="TKT-5, PEN-1", max_value=100,
))
register(PolicyDef(
    "penalty.mm_not_notified_am_yuan", MONEY, Decimal("200"), PENALTIES,
    _("MM did not notify the AM"), "维护经理未通知客户经理罚款",
    _("Money penalty for the maintenance manager per fault where the AM was not notified."),
    "维护经理每次未通知客户经理共同处理故障的罚款金额。",
    spec="PEN-1", max_value=100000,
))
register(PolicyDef(
    "penalty.wrong_record_entry_yuan", MONEY, Decimal("50"), PENALTIES,
    _("Wrong record entry"), "记录填写错误罚款",
    _("Money penalty per wrongly entered record (confirmed by the quality desk)."),
    "每条经品管核实填写错误的记录的罚款金额。",
    spec="PEN-1", max_value=100000,
))
register(PolicyDef(
    "penalty.unrecorded_escalated_complaint_points", POINTS, 20, PENALTIES,
    _("Unrecorded complaint escalated"), "投诉未记录导致升级扣分",
    _("Points deducted that month from the AM who did not record a complaint that was then escalated."),
    "客户经理未记录投诉导致投诉升级的，当月扣该客户经理的分数。",
    spec="CMP-4, PEN-1", max_value=100,
))

register(PolicyDef(
    "sms.customer_signature", STR, "【中国移动】", SMS,
    _("Signature of customer SMS"), "客户短信签名",
    _("Every SMS to a customer (surveys, greetings, credit notices) ends with this signature; staff SMS "
      "do not (issue 16 item 5, SMS-4)."),
    "发给客户的每条短信（满意度调查、关怀祝福、信控通知）以该签名结尾；发给员工的短信不加。",
    spec="SMS-4",
))
register(PolicyDef(
    "sms.quiet_from_hour", INT, 21, SMS,
    _("Quiet hours begin"), "免打扰开始时刻",
    _("Surveys and care messages queued from this hour (Beijing time, 0–23) wait in the outbox until "
      "quiet hours end; SMS to staff and credit notices are never held (issue 16 item 4)."),
    "自该整点起（北京时间，0–23）排队的满意度调查和关怀短信在发件箱等待，免打扰结束后发出；员工短信和信控通知不受限。",
    spec="SAT-1, RET-6", min_value=0, max_value=23,
))
register(PolicyDef(
    "sms.quiet_until_hour", INT, 8, SMS,
    _("Quiet hours end"), "免打扰结束时刻",
    _("Held surveys and care messages leave at this hour (Beijing time, 0–23). Equal to the start: no "
      "quiet hours."),
    "被暂存的满意度调查和关怀短信在该整点（北京时间，0–23）发出；与开始时刻相同则不设免打扰。",
    spec="SAT-1, RET-6", min_value=0, max_value=23,
))
register(PolicyDef(
    "survey.sender_prefix", STR, "10086", VISITS,
    _("Survey sender number"), "满意度短信发送号码",
    _("Surveys go out from this service number followed by an extension of each survey, so that a reply "
      "answers the survey it replies to (issue 16 item 3, SMS-3)."),
    "满意度调查短信从该服务号码加每条调查的扩展码发出，客户回复到扩展码，即可对应到所回复的那条调查。",
    spec="SMS-3",
))
register(PolicyDef(
    "survey.sender_extension_digits", INT, 4, VISITS,
    _("Digits of the survey extension"), "满意度短信扩展码位数",
    _("How many digits follow the sender number (0: no extensions; replies then go to the most recent "
      "open survey of the mobile). The SMSC must route the extended numbers back to the portal."),
    "服务号码后的扩展码位数（0 表示不用扩展码，回复对应该手机号最近一条未答调查）。"
    "短信中心须把扩展号码的上行转给门户。",
    spec="SMS-3", min_value=0, max_value=6,
))
