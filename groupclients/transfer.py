"""Spreadsheet import and export of groups, sites, contacts and members (SPEC GC-8, ORG-3, ORG-4).

Import: read every row, validate every row (reporting each bad row with its reason), and only if
all are good apply them inside one transaction — an import never half-applies. Progress of the
apply is published in the cache so the page can show it while a Celery worker does the work.
Export: the rows the user may see, with personal data masked unless they own the record.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from accounts.masking import mask_date, mask_mobile
from accounts.models import OrgUnit, User
from portal.spreadsheet import write_row

from .import_files import read_table
from .models import Contact, GroupCustomer, ImportJob, Industry, Member, OrganisationType, Product, Site
from .services.ownership import group_ownership_check, site_check

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Col:
    key: str
    zh: str
    en: str
    required: bool = False
    example: Any = ""


class RowError(Exception):
    def __init__(self, errors: dict[str, list[str]]):
        self.errors = errors


def _text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    if isinstance(v, dt.datetime):
        v = v.date()
    return str(v).strip()


def _date(v: Any, field: str) -> dt.date | None:
    if v in (None, ""):
        return None
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    s = _text(v).replace("/", "-").replace(".", "-")
    try:
        return dt.date.fromisoformat(s)
    except ValueError:
        raise RowError({field: [_("Not a date (use YYYY-MM-DD): %(v)s") % {"v": s}]}) from None


def _int(v: Any, field: str) -> int | None:
    s = _text(v).replace(",", "")
    if not s:
        return None
    try:
        return int(Decimal(s))
    except (InvalidOperation, ValueError):
        raise RowError({field: [_("Not a whole number: %(v)s") % {"v": s}]}) from None


def _decimal(v: Any, field: str) -> Decimal | None:
    s = _text(v).replace(",", "")
    if not s:
        return None
    try:
        return Decimal(s)
    except InvalidOperation:
        raise RowError({field: [_("Not a number: %(v)s") % {"v": s}]}) from None


def _bool(v: Any) -> bool:
    return _text(v).lower() in ("1", "y", "yes", "true", "是", "√", "x")


def _choice(v: Any, choices, field: str, default: str | None = None) -> str:
    s = _text(v)
    if not s:
        if default is not None:
            return default
        raise RowError({field: [_("This field is required.")]})
    for value, label in choices:
        if s.lower() in (str(value).lower(), str(label).lower()):
            return value
    raise RowError({field: [_("Unknown value %(v)s; use one of: %(c)s") % {
        "v": s, "c": ", ".join(str(v) for v, _l in choices if v)}]})


class Lookups:
    """Reference data resolved once per import, not once per row."""

    def __init__(self, user: User, writable_groups):
        self.user = user
        self.org_types = {**{o.code: o for o in OrganisationType.objects.all()},
                          **{o.name: o for o in OrganisationType.objects.all()}}
        self.industries = {**{o.code: o for o in Industry.objects.all()}, **{o.name: o for o in Industry.objects.all()}}
        self.products = {**{o.code: o for o in Product.objects.all()}, **{o.name: o for o in Product.objects.all()}}
        self.units = {u.code: u for u in OrgUnit.objects.filter(level=OrgUnit.Level.UNIT)}
        self.writable_groups = writable_groups
        self._users: dict[str, User | None] = {}
        self._groups: dict[str, GroupCustomer | None] = {}

    def ref(self, table: dict, v: Any, field: str, required: bool = True):
        s = _text(v)
        if not s:
            if required:
                raise RowError({field: [_("This field is required.")]})
            return None
        if s not in table:
            raise RowError({field: [_("Unknown %(f)s: %(v)s") % {"f": field, "v": s}]})
        return table[s]

    def user_with_role(self, v: Any, field: str, role: str) -> User:
        s = _text(v)
        if not s:
            raise RowError({field: [_("This field is required.")]})
        if s not in self._users:
            self._users[s] = User.objects.filter(username=s, is_active=True).first()
        u = self._users[s]
        if u is None or not u.has_role(role):
            raise RowError({field: [_("No active user %(v)s with the role %(r)s.") % {"v": s, "r": role}]})
        return u

    def group(self, v: Any, field: str = "group_code") -> GroupCustomer:
        s = _text(v)
        if not s:
            raise RowError({field: [_("This field is required.")]})
        if s not in self._groups:
            self._groups[s] = self.writable_groups.filter(code=s).first()
        g = self._groups[s]
        if g is None:
            raise RowError({field: [_("No group %(v)s that you may change.") % {"v": s}]})
        return g


def _may_own(user: User, unit: OrgUnit, am: User) -> bool:
    """May this user create a group in this unit for this AM? (the one rule: services.ownership)"""
    from .services.ownership import may_own

    return may_own(user, unit, am)


def _ownership_row_check(check: Callable[[], None], columns: dict[str, str]) -> None:
    """The services' ownership rules (issue 12 item 2) as a row error naming the sheet's column."""
    from portal.exceptions import ApplicationError

    try:
        check()
    except ApplicationError as e:
        errs = e.extra.get("errors") or {"code": [e.message]}
        raise RowError({columns.get(k, k): v for k, v in errs.items()}) from None


def _resolve(pairs) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """Run each (field, parser) of a row; collect every field's error rather than stop at the first."""
    values: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for key, fn in pairs:
        try:
            values[key] = fn()
        except RowError as e:
            errors.update(e.errors)
    return values, errors


# ---- the four kinds -------------------------------------------------------------------------
class Kind:
    key: str
    columns: list[Col]
    unique_key: Callable[[dict], str]

    def build(self, row: dict, lk: Lookups) -> tuple[Any, bool]:
        raise NotImplementedError

    def save(self, obj: Any, is_new: bool, by: User) -> None:
        raise NotImplementedError


class GroupsKind(Kind):
    key = "groups"
    columns = [
        Col("code", "集团编码", "Group code", False, "G00001234"),
        Col("name", "集团名称", "Name", True, "杭州示例科技有限公司"),
        Col("org_type", "单位类型", "Organisation type", False, "enterprise"),
        Col("address", "地址", "Address", False, "杭州市西湖区文三路 1 号"),
        Col("phone", "电话", "Phone", False, "0571-88880000"),
        Col("industry", "行业", "Industry", False, "it"),
        Col("employee_count", "员工数", "Employees", False, 350),
        Col("annual_revenue", "年营业额(万元)", "Annual revenue (10k CNY)", False, 12000),
        Col("grade", "集团类别", "Class", True, "B"),
        Col("status", "状态", "Status", False, "prospect"),
        Col("unit_code", "所属营销单元编码", "Unit code", True, "ZJ-HZ-XH"),
        Col("am_username", "客户经理账号", "AM username", True, "am1"),
    ]

    def build(self, row, lk):
        code = _text(row.get("code"))
        existing = GroupCustomer.objects.filter(code=code).first() if code else None
        if existing is not None and not lk.writable_groups.filter(pk=existing.pk).exists():
            raise RowError({"code": [_("Group %(v)s exists but is outside your scope.") % {"v": code}]})
        values, errors = _resolve((
            ("org_type", lambda: lk.ref(lk.org_types, row.get("org_type"), "org_type", False)),
            ("industry", lambda: lk.ref(lk.industries, row.get("industry"), "industry", False)),
            ("employee_count", lambda: _int(row.get("employee_count"), "employee_count")),
            ("annual_revenue", lambda: _decimal(row.get("annual_revenue"), "annual_revenue")),
            ("grade", lambda: _choice(row.get("grade"), GroupCustomer.Grade.choices, "grade")),
            ("unit", lambda: lk.ref(lk.units, row.get("unit_code"), "unit_code")),
            ("account_manager", lambda: lk.user_with_role(row.get("am_username"), "am_username", "am")),
        ))
        values["name"] = _text(row.get("name"))
        values["address"] = _text(row.get("address"))
        values["phone"] = _text(row.get("phone"))
        status = _text(row.get("status"))
        if errors:
            raise RowError(errors)
        if existing is None and not _may_own(lk.user, values["unit"], values["account_manager"]):
            raise RowError({"am_username": [_("You may not create groups for this unit or AM.")]})
        if existing is not None:
            _ownership_row_check(lambda: group_ownership_check(
                by=lk.user, group=existing, unit=values["unit"], account_manager=values["account_manager"]),
                {"unit": "unit_code", "account_manager": "am_username"})
        obj = existing or GroupCustomer(code=code or "")
        for k, v in values.items():
            setattr(obj, k, v)
        if existing is None:
            obj.status = _choice(status, GroupCustomer.Status.choices, "status", GroupCustomer.Status.PROSPECT)
        elif status and _choice(status, GroupCustomer.Status.choices, "status") != existing.status:
            raise RowError({"status": [_("Change the status of an existing group on its page (GC-2).")]})
        try:
            obj.full_clean(exclude=["code"] if not code else None, validate_unique=bool(code) and existing is None)
        except ValidationError as e:
            raise RowError(e.message_dict) from None
        return obj, existing is None

    def save(self, obj, is_new, by):
        from .services import group_create, group_update

        fields = {f: getattr(obj, f) for f in ("name", "org_type", "industry", "address", "phone",
                                                "employee_count", "annual_revenue", "grade", "unit",
                                                "account_manager")}
        if is_new:
            if obj.code:
                fields["code"] = obj.code
            group_create(by=by, status=obj.status, **fields)
        else:
            group_update(group=GroupCustomer.objects.get(pk=obj.pk), by=by, **fields)


class SitesKind(Kind):
    key = "sites"
    columns = [
        Col("group_code", "集团编码", "Group code", True, "G00001234"),
        Col("name", "站点名称", "Site name", True, "滨江分部"),
        Col("address", "地址", "Address", False, "杭州市滨江区江南大道 100 号"),
        Col("unit_code", "营销单元编码", "Unit code", True, "ZJ-HZ-BJ"),
        Col("local_am", "属地客户经理账号", "Local AM username", True, "am1"),
        Col("local_mm", "属地维护经理账号", "Local MM username", True, "mm1"),
        Col("is_headquarters", "是否总部", "Headquarters", False, "否"),
    ]

    def build(self, row, lk):
        values, errors = _resolve((
            ("group", lambda: lk.group(row.get("group_code"))),
            ("unit", lambda: lk.ref(lk.units, row.get("unit_code"), "unit_code")),
            ("local_am", lambda: lk.user_with_role(row.get("local_am"), "local_am", "am")),
            ("local_mm", lambda: lk.user_with_role(row.get("local_mm"), "local_mm", "mm")),
        ))
        if errors:
            raise RowError(errors)
        name = _text(row.get("name"))
        obj = Site.objects.filter(group=values["group"], name=name).first() if name else None
        is_new = obj is None
        _ownership_row_check(lambda: site_check(by=lk.user, site=None if is_new else obj, group=values["group"],
                                                fields=values), {"unit": "unit_code"})
        obj = obj or Site()
        for k, v in values.items():
            setattr(obj, k, v)
        obj.name, obj.address, obj.is_headquarters = name, _text(row.get("address")), _bool(row.get("is_headquarters"))
        try:
            obj.full_clean()
        except ValidationError as e:
            raise RowError(e.message_dict) from None
        return obj, is_new

    def save(self, obj, is_new, by):
        obj.save()


class ContactsKind(Kind):
    key = "contacts"
    columns = [
        Col("group_code", "集团编码", "Group code", True, "G00001234"),
        Col("name", "姓名", "Name", True, "张三"),
        Col("type", "类型", "Type", True, "contact"),
        Col("is_primary", "首要联系人", "Primary contact", False, "是"),
        Col("department", "部门", "Department", False, "信息中心"),
        Col("post", "职务", "Post", False, "主任"),
        Col("mobile", "手机号码", "Mobile", True, "13812345678"),
        Col("birthday", "生日", "Birthday", False, "1980-05-01"),
        Col("counterpart", "我方对口人账号", "Counterpart username", False, "am1"),
        Col("counterpart_level", "对口层级", "Counterpart level", False, "am"),
        Col("do_not_disturb", "免打扰", "Do not disturb", False, "否"),
    ]

    def build(self, row, lk):
        values, errors = _resolve((
            ("group", lambda: lk.group(row.get("group_code"))),
            ("type", lambda: _choice(row.get("type"), Contact.Type.choices, "type")),
            ("birthday", lambda: _date(row.get("birthday"), "birthday")),
            ("counterpart_level", lambda: _choice(row.get("counterpart_level"), Contact.CounterpartLevel.choices,
                                                  "counterpart_level", "")),
        ))
        cp = _text(row.get("counterpart"))
        if cp:
            u = User.objects.filter(username=cp, is_active=True).first()
            if u is None:
                errors["counterpart"] = [_("No active user %(v)s.") % {"v": cp}]
            values["counterpart"] = u
        if errors:
            raise RowError(errors)
        mobile = _text(row.get("mobile"))
        obj = Contact.objects.filter(group=values["group"], mobile=mobile).first() if mobile else None
        is_new = obj is None
        obj = obj or Contact()
        for k, v in values.items():
            setattr(obj, k, v)
        obj.name, obj.mobile = _text(row.get("name")), mobile
        obj.department, obj.post = _text(row.get("department")), _text(row.get("post"))
        obj.is_primary, obj.do_not_disturb = _bool(row.get("is_primary")), _bool(row.get("do_not_disturb"))
        try:
            obj.full_clean(validate_constraints=False)
        except ValidationError as e:
            raise RowError(e.message_dict) from None
        return obj, is_new

    def save(self, obj, is_new, by):
        from .services import contact_create, contact_update

        fields = {f: getattr(obj, f) for f in ("name", "type", "is_primary", "department", "post", "mobile",
                                                "birthday", "counterpart", "counterpart_level", "do_not_disturb")}
        if is_new:
            contact_create(group=obj.group, by=by, **fields)
        else:
            contact_update(contact=Contact.objects.get(pk=obj.pk), by=by, note="import", **fields)


class MembersKind(Kind):
    key = "members"
    columns = [
        Col("group_code", "集团编码", "Group code", True, "G00001234"),
        Col("mobile", "手机号码", "Mobile", True, "13912345678"),
        Col("name", "姓名", "Name", False, "李四"),
        Col("product", "产品编码", "Product code", False, "vnet"),
        Col("vip_tier", "VIP等级", "VIP tier", False, "gold"),
        Col("billing_type", "付费类型", "Billing type", False, "postpaid"),
        Col("status", "状态", "Status", False, "active"),
    ]

    def build(self, row, lk):
        values, errors = _resolve((
            ("group", lambda: lk.group(row.get("group_code"))),
            ("product", lambda: lk.ref(lk.products, row.get("product"), "product", False)),
            ("vip_tier", lambda: _choice(row.get("vip_tier"), Contact._meta.get_field("vip_tier").choices,
                                         "vip_tier", "")),
            ("billing_type", lambda: _choice(row.get("billing_type"), Member.BillingType.choices, "billing_type",
                                             Member.BillingType.POSTPAID)),
            ("status", lambda: _choice(row.get("status"), Member.Status.choices, "status", Member.Status.ACTIVE)),
        ))
        if errors:
            raise RowError(errors)
        mobile = _text(row.get("mobile"))
        obj = Member.objects.filter(mobile=mobile).first() if mobile else None
        if obj is not None and not lk.writable_groups.filter(pk=obj.group_id).exists():
            raise RowError({"mobile": [_("This number belongs to a group outside your scope.")]})
        is_new = obj is None
        obj = obj or Member(mobile=mobile)
        for k, v in values.items():
            setattr(obj, k, v)
        obj.name = _text(row.get("name"))
        try:
            obj.full_clean(validate_unique=is_new)
        except ValidationError as e:
            raise RowError(e.message_dict) from None
        return obj, is_new

    def save(self, obj, is_new, by):
        obj.save()


class BulkKind(Kind):
    """Billing-feed files (RET-1, CC-1): validated and applied by the same bulk services as the API;
    the dry run applies them in a transaction that is rolled back, so it reports exactly what the
    apply would refuse."""

    bulk = True

    def __init__(self, key, columns, apply):
        self.key, self.columns, self._apply = key, columns, apply

    def run(self, rows: list[dict], user: User) -> dict:
        def cell(v):  # dates and whole numbers as Excel gives them; everything else as text
            return v if isinstance(v, (dt.date, int, Decimal)) and not isinstance(v, bool) else _text(v)

        clean = [{k: cell(v) for k, v in r.items() if _text(v) != ""} for r in rows]
        for r in clean:
            if "members" in r:
                r["members"] = [m.strip() for m in str(r["members"]).replace("，", ",").split(",") if m.strip()]
            for k in ("enrolled", "exempt"):
                if k in r:
                    r[k] = _bool(r[k])
        return self._apply(clean, user)


def _apply_accounts(rows, user):
    from .billing.services.billing import accounts_bulk_upsert

    if not user.has_role("admin"):
        raise RowError({"file": [_("The billing feed is imported by an administrator.")]})
    return accounts_bulk_upsert(rows=rows, by=user)


def _apply_usage(rows, user):
    from .billing.services.billing import usage_bulk_upsert

    if not user.has_role("admin"):
        raise RowError({"file": [_("The billing feed is imported by an administrator.")]})
    return usage_bulk_upsert(rows=rows)


def _apply_payments(rows, user):
    from .billing.models import BillingAccount
    from .billing.services.credit import payment_record

    if not user.has_role("admin"):
        raise RowError({"file": [_("The billing feed is imported by an administrator.")]})
    accounts = {a.external_id: a for a in BillingAccount.objects.filter(
        external_id__in={r.get("account") for r in rows})}
    errors = [{"row": i, "errors": {"account": [_("Unknown account.")]}}
              for i, r in enumerate(rows, start=1) if r.get("account") not in accounts]
    if errors:
        from portal.exceptions import ApplicationError

        raise ApplicationError(_("Unknown accounts; nothing was saved."), extra={"errors": errors})
    created = 0
    for r in rows:
        _p, new = payment_record(account=accounts[r["account"]], amount=Decimal(str(r["amount"])),
                                 external_id=r.get("external_id"), validity_days=int(r.get("validity_days") or 0),
                                 by=user)
        created += new
    return {"created": created, "updated": len(rows) - created}


KINDS: dict[str, Kind] = {k.key: k for k in (
    GroupsKind(), SitesKind(), ContactsKind(), MembersKind(),
    BulkKind("accounts", [Col("external_id", "账户编码", "Account id", True, "ACC0001"),
                          Col("group", "集团编码", "Group code", False, "G00001234"),
                          Col("kind", "付费类型", "Kind", True, "postpaid"),
                          Col("cash_balance", "现金余额", "Cash balance", False, "0"),
                          Col("noncash_balance", "赠款余额", "Bonus balance", False, "0"),
                          Col("balance_valid_until", "余额有效期", "Balance valid until", False, "2026-12-31"),
                          Col("amount_due", "欠费金额", "Amount due", False, "120.00"),
                          Col("due_date", "缴费期限", "Due date", False, "2026-11-30"),
                          Col("credit_level", "信用等级", "Credit level", False, 1),
                          Col("enrolled", "纳入信控", "Enrolled", False, "是"),
                          Col("members", "成员号码", "Member mobiles", False, "13912345678")], _apply_accounts),
    BulkKind("usage", [Col("mobile", "手机号码", "Mobile", True, "13912345678"),
                       Col("month", "月份", "Month", True, "2026-10"),
                       Col("revenue", "收入", "Revenue", False, "88.00"), Col("minutes", "通话分钟", "Minutes", False, 320),
                       Col("outgoing_calls", "主叫次数", "Outgoing calls", False, 60),
                       Col("data_mb", "流量MB", "Data MB", False, 4096),
                       Col("forwarding_days", "呼转异网天数", "Forwarding days", False, 0),
                       Col("competitor_hotline_seconds", "竞争对手客服通话秒数", "Competitor hotline seconds", False, 0)],
             _apply_usage),
    BulkKind("payments", [Col("external_id", "缴费流水号", "Payment id", True, "PAY0001"),
                          Col("account", "账户编码", "Account id", True, "ACC0001"),
                          Col("amount", "金额", "Amount", True, "100.00"),
                          Col("validity_days", "延长有效期天数", "Validity days", False, 30)], _apply_payments),
)}


def _header_map(kind: Kind, header: Iterable[Any]) -> tuple[dict[int, str], list[str]]:
    names = {}
    for c in kind.columns:
        for alias in (c.key, c.zh, c.en):
            names[alias.strip().lower()] = c.key
    mapping = {}
    for i, h in enumerate(header):
        key = names.get(_text(h).rstrip("*").strip().lower())
        if key:
            mapping[i] = key
    missing = [c.zh + " / " + c.en for c in kind.columns if c.required and c.key not in mapping.values()]
    return mapping, missing


def read_rows(kind: Kind, fileobj, filename: str, *, progress=None) -> list[dict[str, Any]]:
    """The data rows as dicts keyed by column key. Raises ValueError with a message on a bad file,
    or one over the row/cell limits (counted while reading: groupclients.import_files)."""
    table = read_table(fileobj, filename, progress=progress)
    if not table:
        raise ValueError(_("The file is empty."))
    mapping, missing = _header_map(kind, table[0])
    if missing:
        raise ValueError(_("Missing required columns: %(c)s") % {"c": "; ".join(missing)})
    rows = []
    for line in table[1:]:
        if all(_text(v) == "" for v in line):
            continue
        rows.append({key: (line[i] if i < len(line) else None) for i, key in mapping.items()})
    return rows


def validate(kind: Kind, rows: list[dict], user: User, writable_groups, *,
             progress=None) -> tuple[list, list[dict]]:
    """Check every row; returns (built objects, errors). Row numbers count the header as row 1."""
    lk = Lookups(user, writable_groups)
    built, errors, seen = [], [], {}
    dedupe_field = {"groups": "code", "sites": None, "contacts": "mobile", "members": "mobile"}[kind.key]
    for n, row in enumerate(rows, start=2):
        if progress is not None and (n - 2) % 500 == 0 and n > 2:
            progress(n - 2)  # rows checked so far
        try:
            obj, is_new = kind.build(row, lk)
            if dedupe_field:
                key = _text(row.get(dedupe_field))
                if key and key in seen:
                    raise RowError({dedupe_field: [_("Same value as row %(r)d.") % {"r": seen[key]}]})
                if key:
                    seen[key] = n
            built.append((n, obj, is_new))
        except RowError as e:
            errors.append({"row": n, "errors": {k: [str(m) for m in v] for k, v in e.errors.items()}})
    return built, errors


def progress_key(job_id: int) -> str:
    return f"import-progress:{job_id}"


def progress_publish(job: ImportJob, done: int, total: int | None = None, phase: str = "") -> None:
    """Progress for the page, and the heartbeat that tells a running import from a stale one."""
    cache.set(progress_key(job.pk), {"done": done, "total": total if total is not None else job.total_rows,
                                     "phase": phase, "at": time.time()}, 24 * 3600)


RUNNING = (ImportJob.Status.VALIDATING, ImportJob.Status.APPLYING)


def import_expire_if_stale(job: ImportJob) -> ImportJob:
    """An import still checking/applying with no progress for settings.IMPORT_STALE_MINUTES (its
    worker died, the task was lost or never ran) ends as failed with a message, instead of showing
    "checking" for ever (issue 12 item 8). A conditional update: a live run is never overwritten,
    and the apply re-checks its status inside its transaction before it commits."""
    if job.status not in RUNNING:
        return job
    beat = (cache.get(progress_key(job.pk)) or {}).get("at")
    last = beat if beat is not None else job.created_at.timestamp()
    minutes = int(settings.IMPORT_STALE_MINUTES)
    if time.time() - last < minutes * 60:
        return job
    message = _("The import made no progress for %(m)d minutes and was stopped; nothing was applied. "
                "Upload the file again.") % {"m": minutes}
    errors = [{"row": 0, "errors": {"file": [message]}}]
    if ImportJob.objects.filter(pk=job.pk, status=job.status).update(
            status=ImportJob.Status.FAILED, errors=errors, finished_at=timezone.now()):
        logger.warning("import %s expired while %s", job.pk, job.status)
    job.refresh_from_db()
    return job


def _finish(job: ImportJob, was: str, **fields) -> ImportJob:
    """Write the outcome unless the job stopped being `was` meanwhile (expired as stale)."""
    ImportJob.objects.filter(pk=job.pk, status=was).update(**fields)
    job.refresh_from_db()
    return job


def run_import(job: ImportJob, *, apply: bool) -> ImportJob:
    """Dry run (apply=False) or apply (apply=True) of one import job. All rows or none.

    Runs in a Celery task (groupclients.tasks.import_run), never needs the web worker; publishes
    progress while reading, checking and applying; any failure ends the job as failed with a
    message, never left "checking" (issue 12 item 8)."""
    was = ImportJob.Status.APPLYING if apply else ImportJob.Status.VALIDATING
    try:
        return _run_import(job, apply=apply, was=was)
    except Exception as e:  # whatever went wrong, the job ends and says so
        logger.exception("import %s failed", job.pk)
        return _finish(job, was, status=ImportJob.Status.FAILED, finished_at=timezone.now(),
                       errors=[{"row": 0, "errors": {"file": [_("The import failed: %(e)s") % {
                           "e": str(e)[:300] or e.__class__.__name__}]}}])


def _run_import(job: ImportJob, *, apply: bool, was: str) -> ImportJob:
    from .selectors import groups_in_scope

    kind = KINDS[job.kind]
    user = job.created_by
    progress_publish(job, 0, 0, "reading")
    with job.file.open("rb") as fh:
        try:
            rows = read_rows(kind, fh, job.original_name,
                             progress=lambda n: progress_publish(job, n, 0, "reading"))
        except ValueError as e:
            return _finish(job, was, status=ImportJob.Status.INVALID if not apply else ImportJob.Status.FAILED,
                           errors=[{"row": 1, "errors": {"file": [str(e)]}}], finished_at=timezone.now())
    job.total_rows = len(rows)
    ImportJob.objects.filter(pk=job.pk).update(total_rows=job.total_rows)
    progress_publish(job, 0, job.total_rows, "checking")
    if getattr(kind, "bulk", False):
        return _run_bulk(job, kind, rows, apply=apply)

    def checking(n):
        progress_publish(job, n, job.total_rows, "checking")

    if not apply:
        built, errors = validate(kind, rows, user, groups_in_scope(user, "write"), progress=checking)
        created = sum(1 for _n, _o, new in built if new)
        return _finish(job, was, errors=errors, total_rows=job.total_rows, created_count=created,
                       updated_count=len(built) - created,
                       status=ImportJob.Status.INVALID if errors else ImportJob.Status.VALID)
    errors = []
    try:
        with transaction.atomic():
            # validate again inside the transaction: the data may have changed since the dry run
            built, errors = validate(kind, rows, user, groups_in_scope(user, "write"), progress=checking)
            if errors:
                raise RowError({"rows": [str(len(errors))]})
            for i, (_n, obj, is_new) in enumerate(built, start=1):
                kind.save(obj, is_new, user)
                if i % 50 == 0 or i == len(built):
                    progress_publish(job, i, len(built), "applying")
            # still ours? (not expired as stale meanwhile) — else roll every row back
            if not ImportJob.objects.select_for_update().filter(pk=job.pk, status=was).exists():
                raise RowError({"apply": [_("The import was stopped.")]})
    except RowError:
        return _finish(job, was, status=ImportJob.Status.FAILED, errors=errors, finished_at=timezone.now())
    except (ValidationError, Exception) as e:  # any failure rolls every row back
        return _finish(job, was, status=ImportJob.Status.FAILED, finished_at=timezone.now(),
                       errors=[{"row": 0, "errors": {"apply": [str(e)]}}])
    created = sum(1 for _n, _o, new in built if new)
    return _finish(job, was, status=ImportJob.Status.APPLIED, created_count=created,
                   updated_count=len(built) - created, finished_at=timezone.now())


def _run_bulk(job: ImportJob, kind: BulkKind, rows: list[dict], *, apply: bool) -> ImportJob:
    from portal.exceptions import ApplicationError

    class _DryRun(Exception):
        pass

    result = {}
    try:
        with transaction.atomic():
            result = kind.run(rows, job.created_by)
            if not apply:
                raise _DryRun
    except _DryRun:
        job.status, job.errors = ImportJob.Status.VALID, []
    except ApplicationError as e:
        job.status = ImportJob.Status.INVALID if not apply else ImportJob.Status.FAILED
        job.errors = [{"row": err["row"] + 1, "errors": err["errors"]} for err in e.extra.get("errors", [])] or \
            [{"row": 0, "errors": {"file": [e.message]}}]
    except RowError as e:
        job.status, job.errors = ImportJob.Status.INVALID, [{"row": 0, "errors": e.errors}]
    else:
        job.status = ImportJob.Status.APPLIED
    was = ImportJob.Status.APPLYING if apply else ImportJob.Status.VALIDATING
    return _finish(job, was, status=job.status, errors=job.errors, total_rows=job.total_rows,
                   created_count=result.get("created", result.get("upserted", 0)),
                   updated_count=result.get("updated", 0), finished_at=timezone.now() if apply else None)


# ---- templates and exports -------------------------------------------------------------------
def template_workbook(kind: Kind) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = kind.key
    write_row(ws, [c.zh + ("*" if c.required else "") for c in kind.columns])
    write_row(ws, [c.example for c in kind.columns])
    help_ws = wb.create_sheet("说明 Help")
    write_row(help_ws, ["列 / column", "English", "key", "必填 required"])
    for c in kind.columns:
        write_row(help_ws, [c.zh, c.en, c.key, "是 yes" if c.required else ""])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


EXPORT_KINDS = ("groups", "sites", "contacts", "members")
EXPORT_FORMATS = ("xlsx", "csv")


def _export_rows(kind_key: str, user: User, group_filters=None) -> Iterator[list]:
    """The header, then the rows of one kind in the user's scope, masked for non-owners (ORG-4)."""
    from .scopes import sees_financials
    from .selectors import (
        contact_list_for_user,
        group_list_for_user,
        member_list_for_user,
        present_contact,
        present_member,
        sites_in_scope,
    )

    if kind_key == "groups":
        money = sees_financials(user)
        yield ["集团编码", "集团名称", "类别", "状态", "行业", "地址", "电话", "员工数",
               *(["年营业额(万元)"] if money else []), "营销单元", "客户经理"]
        for g in group_list_for_user(user, group_filters).iterator(chunk_size=2000):
            yield [g.code, g.name, g.grade, g.get_status_display(), str(g.industry or ""), g.address, g.phone,
                   g.employee_count, *([g.annual_revenue] if money else []), g.unit.code,
                   g.account_manager.username]
    elif kind_key == "sites":
        yield ["集团编码", "站点名称", "地址", "营销单元编码", "属地客户经理账号", "属地维护经理账号", "是否总部"]
        for s in sites_in_scope(user).iterator(chunk_size=2000):
            yield [s.group.code, s.name, s.address, s.unit.code, s.local_am.username, s.local_mm.username,
                   "是" if s.is_headquarters else "否"]
    elif kind_key == "contacts":
        yield ["集团编码", "集团名称", "姓名", "类型", "首要联系人", "部门", "职务", "手机号码", "生日",
               "我方对口人账号", "免打扰"]
        for c in contact_list_for_user(user).iterator(chunk_size=2000):
            present_contact(c)
            yield [c.group.code, c.group.name, c.name, c.get_type_display(), "是" if c.is_primary else "否",
                   c.department, c.post, c.mobile_display, c.birthday_display,
                   c.counterpart.username if c.counterpart else "", "是" if c.do_not_disturb else "否"]
    elif kind_key == "members":
        yield ["集团编码", "手机号码", "姓名", "产品编码", "VIP等级", "付费类型", "状态"]
        for m in member_list_for_user(user).iterator(chunk_size=2000):
            present_member(m)
            yield [m.group.code, m.mobile_display, m.name, m.product.code if m.product else "", m.vip_tier,
                   m.billing_type, m.status]
    else:
        raise KeyError(kind_key)


def export_workbook(kind_key: str, user: User, *, group_filters=None, fmt: str = "xlsx") -> tuple[bytes, int]:
    """The rows of one kind in the user's scope, masked for non-owners, as .xlsx (default) or .csv
    (UTF-8 with a BOM, which Excel opens as Chinese). Returns (bytes, data rows). Every cell goes
    through portal.spreadsheet.write_row: formula-like text is written as text (issue 12 item 7)."""
    n = -1  # the header is not a data row
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf)
        for row in _export_rows(kind_key, user, group_filters):
            write_row(writer, row)
            n += 1
        return ("\ufeff" + buf.getvalue()).encode("utf-8"), n
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(kind_key)
    for row in _export_rows(kind_key, user, group_filters):
        write_row(ws, row)
        n += 1
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue(), n


__all__ = ["KINDS", "read_rows", "validate", "run_import", "template_workbook", "export_workbook",
           "mask_mobile", "mask_date"]
