"""The write matrix of issue 12: which fields name another object, and which values are outside a role.

Two halves, kept apart from the HTTP driver in test_write_matrix.py:

* **Introspection** — `api_fields()` walks every write operation drf-spectacular documents (the
  request serializer of each POST/PUT/PATCH, nested serializers included) and `form_fields()` every
  form class of the apps; a field "names another object" when it is a relation (its queryset's
  model) or is one of the plain fields that carry an id or a code (`PLAIN_NAMING`). Fields that
  decide a penalty or the month it lands in are listed in `PENALTY_FIELDS`. A new field on a
  serializer or form is picked up without touching this file; a new *operation* needs a way to
  build its request (`test_write_matrix.API_OPERATIONS`), and the check fails until it has one.
* **The oracle** — `World` is the seeded data (read from the demo database with one
  `manage.py shell`) and answers "who may write which group" from SPEC ORG-3 directly, written
  again here rather than imported from `accounts.scoping`, so the check does not trust the code it
  checks. It picks, for a role and a field, a value outside that role's scope.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field

# Target models that are reference data (controlled lists anyone may name): not scope fields.
REFERENCE_MODELS = {"Product", "OrganisationType", "Industry"}
# Plain (non-relation) fields that carry the id or code of another object.
PLAIN_NAMING = {"group": "GroupCustomer", "account": "BillingAccount", "substitute": "User",
                "package": "Package", "members": "Member"}
# Fields that decide a penalty or the month it is booked in (PEN-1, CMP-4).
PENALTY_FIELDS = {"received_at", "escalated_unrecorded", "unrecorded"}
# Dates that decide which period a record counts in (VIS-3 compliance; checked like the penalty dates).
PERIOD_DATES = {"visited_at", "started_at"}


@dataclass(frozen=True)
class NamingField:
    """One writable field of one operation (or form) that names another object."""

    where: str  # "POST /api/v1/sites/" or "form SiteForm"
    name: str  # dotted for nested rows: "members.group"
    target: str  # model name, or "penalty" / "period" for the date and flag fields
    many: bool = False


def _serializer_fields(ser, prefix: str = ""):
    from rest_framework import serializers as s

    if isinstance(ser, s.ListSerializer):
        ser = ser.child
    for name, f in ser.fields.items():
        if f.read_only:
            continue
        path = f"{prefix}{name}"
        if isinstance(f, s.ListSerializer) or isinstance(f, s.BaseSerializer):
            yield from _serializer_fields(f, f"{path}.")
            continue
        if isinstance(f, s.ManyRelatedField):
            yield path, f.child_relation.queryset.model.__name__, True
        elif isinstance(f, s.RelatedField):
            yield path, f.queryset.model.__name__, False
        elif name in PENALTY_FIELDS:
            yield path, "penalty", False
        elif name in PERIOD_DATES:
            yield path, "period", False
        elif name in PLAIN_NAMING:
            yield path, PLAIN_NAMING[name], isinstance(f, s.ListField)


def api_fields() -> tuple[list[NamingField], list[str]]:
    """Every (write operation, naming field) of the documented API, and the reference-data fields seen."""
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.settings import spectacular_settings
    from rest_framework import serializers as s

    gen = SchemaGenerator()
    gen._initialise_endpoints()
    out, reference = [], []
    for path, _regex, method, callback in gen.endpoints:
        if method not in ("POST", "PUT", "PATCH"):
            continue
        view = gen.create_view(callback, method)
        # as drf-spectacular's get_operation does: `extend_schema(methods=…)` reads the method
        view.request = spectacular_settings.GET_MOCK_REQUEST(method, path, view, None)
        view.schema.path, view.schema.method = path, method
        ser = view.schema.get_request_serializer()
        if isinstance(ser, type) and issubclass(ser, s.BaseSerializer):
            ser = ser()
        if not isinstance(ser, s.BaseSerializer):
            continue
        where = f"{method} {path}"
        for name, target, many in _serializer_fields(ser):
            if target in REFERENCE_MODELS:
                reference.append(f"{where} {name}")
                continue
            out.append(NamingField(where, name, target, many))
    return out, reference


def form_classes():
    from django import forms

    import groupclients.forms
    import tickets.forms
    import visits.forms

    seen = []
    for module in (groupclients.forms, visits.forms, tickets.forms):
        for obj in vars(module).values():
            if (isinstance(obj, type) and issubclass(obj, forms.BaseForm) and obj.__module__ == module.__name__
                    and obj not in seen):
                seen.append(obj)
    return seen


def form_fields() -> tuple[list[NamingField], list[str]]:
    from django import forms

    out, reference = [], []
    for cls in form_classes():
        for name, f in cls.base_fields.items():
            if f.disabled:
                continue
            if name in PENALTY_FIELDS | PERIOD_DATES:
                out.append(NamingField(f"form {cls.__name__}", name, "penalty" if name in PENALTY_FIELDS
                                       else "period"))
                continue
            if not isinstance(f, forms.ModelChoiceField):
                continue
            target = f.queryset.model.__name__
            if target in REFERENCE_MODELS:
                reference.append(f"form {cls.__name__} {name}")
                continue
            out.append(NamingField(f"form {cls.__name__}", name, target,
                                   isinstance(f, forms.ModelMultipleChoiceField)))
    return out, reference


# ---- the seeded data, and ORG-3 written out again ---------------------------------------------
DUMP = r"""
import json
from accounts.models import OrgUnit, User
from groupclients.models import Contact, GroupCustomer, Member, Site
from groupclients.billing.models import BillingAccount
from tickets.models import Complaint, Ticket
users = {u.pk: {"username": u.username, "unit": u.unit_id, "active": u.is_active, "roles": sorted(u.role_codes)}
         for u in User.objects.prefetch_related("roles")}
units = {u.pk: {"level": u.level, "branch": u.branch_id, "code": u.code} for u in OrgUnit.objects.all()}
groups = {g["id"]: {"unit": g["unit_id"], "am": g["account_manager_id"], "sites": []}
          for g in GroupCustomer.objects.values("id", "unit_id", "account_manager_id")}
sites = {}
for s in Site.objects.values("id", "group_id", "unit_id", "local_am_id", "local_mm_id"):
    sites[s["id"]] = {"group": s["group_id"], "unit": s["unit_id"], "am": s["local_am_id"], "mm": s["local_mm_id"]}
    groups[s["group_id"]]["sites"].append(s["id"])
contacts = {c["id"]: {"group": c["group_id"], "counterpart": c["counterpart_id"], "status": c["status"]}
            for c in Contact.objects.values("id", "group_id", "counterpart_id", "status")}
members = {}
for m in Member.objects.order_by("group_id", "id").values("id", "group_id", "contact_id", "mobile"):
    members.setdefault(m["group_id"], {"id": m["id"], "group": m["group_id"], "contact": m["contact_id"],
                                       "mobile": m["mobile"]})
tickets = {t["id"]: {"group": t["group_id"], "site": t["site_id"], "unit": t["unit_id"], "status": t["status"],
                     "am": t["account_manager_id"], "mm": t["maintenance_manager_id"], "opened_by": t["opened_by_id"]}
           for t in Ticket.objects.values("id", "group_id", "site_id", "unit_id", "status", "account_manager_id",
                                          "maintenance_manager_id", "opened_by_id")}
complaints = {c["id"]: {"group": c["group_id"], "am": c["account_manager_id"], "recorded_by": c["recorded_by_id"]}
              for c in Complaint.objects.values("id", "group_id", "account_manager_id", "recorded_by_id")}
from groupclients.billing.models import CreditOrder, RetentionAlert
alert_groups = list(RetentionAlert.objects.values_list("group_id", flat=True))
order_groups = list(CreditOrder.objects.values_list("account__group_id", flat=True))
from groupclients.models import Product
product = Product.objects.filter(active=True).order_by("pk").values_list("pk", flat=True).first()
accounts = {a["id"]: {"external_id": a["external_id"], "group": a["group_id"]}
            for a in BillingAccount.objects.values("id", "external_id", "group_id")[:50]}
print("MATRIX-WORLD " + json.dumps({"users": users, "units": units, "groups": groups, "sites": sites,
                                    "contacts": contacts, "members": list(members.values()), "tickets": tickets,
                                    "complaints": complaints, "accounts": accounts,
                                    "product": product, "alert_groups": alert_groups,
                                    "order_groups": order_groups}))
"""

FINGERPRINT = r"""
import hashlib, json
from django.apps import apps
out = {}
for model in apps.get_models():
    if model._meta.app_label in ("sessions", "authtoken", "axes", "admin", "contenttypes", "knox", "otp_static",
                                 "otp_totp", "django_celery_beat", "django_celery_results"):
        continue
    if model.__name__ in ("AuditEvent", "AccessAttempt", "AccessLog", "AccessFailureLog", "Token", "AuthToken"):
        continue  # the matrix's own logins and token requests
    cols = [f.attname for f in model._meta.concrete_fields if f.attname != "last_login"]  # the matrix logs in
    rows = model._default_manager.order_by("pk").values_list(*cols)
    h = hashlib.sha256()
    n = 0
    for r in rows.iterator(chunk_size=5000):
        h.update(repr(r).encode())
        n += 1
    out[model._meta.label] = [n, h.hexdigest()[:16]]
print("MATRIX-FINGERPRINT " + json.dumps(out))
"""


def run_shell(site, code: str, marker: str):
    out = site.manage("shell", "-v", "0", "-c", code, timeout=600)
    for line in out.splitlines():
        if line.startswith(marker + " "):
            return json.loads(line[len(marker) + 1:])
    raise AssertionError(f"no {marker} in manage.py shell output:\n{out[-2000:]}")


def _ints(d: dict) -> dict:
    return {int(k): v for k, v in d.items()}


@dataclass
class World:
    users: dict
    units: dict
    groups: dict
    sites: dict
    contacts: dict
    members: list
    tickets: dict
    complaints: dict
    accounts: dict
    product: int | None = None
    alert_groups: list = field(default_factory=list)
    order_groups: list = field(default_factory=list)
    by_name: dict = field(default_factory=dict)

    @classmethod
    def load(cls, site) -> World:
        raw = run_shell(site, DUMP, "MATRIX-WORLD")
        w = cls(**{k: (_ints(v) if isinstance(v, dict) else v) for k, v in raw.items()})
        w.by_name = {u["username"]: uid for uid, u in w.users.items()}
        return w

    # -- the organisation tree
    def branch(self, unit_id: int | None) -> int | None:
        if unit_id is None:
            return None
        u = self.units[unit_id]
        return None if u["level"] == "province" else u["branch"]

    def is_province(self, user_id: int) -> bool:
        unit = self.users[user_id]["unit"]
        return unit is not None and self.units[unit]["level"] == "province"

    def units_in_branch(self, branch_id: int) -> set[int]:
        return {k for k, u in self.units.items() if u["level"] == "unit" and u["branch"] == branch_id}

    def leaf_units(self) -> list[int]:
        return sorted(k for k, u in self.units.items() if u["level"] == "unit")

    def roles(self, uid: int) -> set[str]:
        return set(self.users[uid]["roles"])

    # -- ORG-3 for groups, written out from the SPEC
    def supervised_units(self, uid: int) -> set[int] | None:
        """Units a leader (own unit) / manager (branch) / admin (all: None) supervises."""
        roles, unit = self.roles(uid), self.users[uid]["unit"]
        if "admin" in roles:
            return None
        out: set[int] = set()
        if "manager" in roles and unit:
            if self.is_province(uid):
                return None
            out |= self.units_in_branch(self.branch(unit))
        if "leader" in roles and unit:
            if self.is_province(uid):
                return None
            out.add(unit)
        return out

    def group_units(self, gid: int) -> set[int]:
        g = self.groups[gid]
        return {g["unit"], *(self.sites[s]["unit"] for s in g["sites"])}

    def may_write_group(self, uid: int, gid: int) -> bool:
        sup = self.supervised_units(uid)
        if sup is None:
            return True
        if sup & self.group_units(gid):
            return True
        g = self.groups[gid]
        return "am" in self.roles(uid) and (g["am"] == uid or any(self.sites[s]["am"] == uid for s in g["sites"]))

    def may_read_group(self, uid: int, gid: int) -> bool:
        roles = self.roles(uid)
        if roles & {"admin", "analyst", "quality", "agent"}:
            return True
        if "mm" in roles and self.users[uid]["unit"] in self.group_units(gid):
            return True
        return self.may_write_group(uid, gid)

    # -- values for the cells
    def own_group(self, uid: int, *, home: bool = True) -> int | None:
        """A group the user may write — for a supervisor one whose home unit they supervise; for an AM
        one they own — with an active contact and a member, so a write there would be valid."""
        sup = self.supervised_units(uid)
        with_member = {m["group"] for m in self.members}
        with_contact = {c["group"] for c in self.contacts.values() if c["status"] == "active"}
        for gid in sorted(self.groups):
            if gid not in with_member or gid not in with_contact or not self.may_write_group(uid, gid):
                continue
            g = self.groups[gid]
            if not home or sup is None or g["unit"] in (sup or set()) or g["am"] == uid:
                return gid
        return None

    def foreign_group(self, uid: int, access: str) -> int | None:
        ok = self.may_write_group if access == "write" else self.may_read_group
        for gid in sorted(self.groups):
            if not ok(uid, gid) and self.groups[gid]["sites"]:
                return gid
        return None

    def any_group(self) -> int:
        return min(gid for gid, g in self.groups.items() if g["sites"])

    def other_branch_unit(self, near_unit: int | None) -> int:
        b = self.branch(near_unit)
        return next(u for u in self.leaf_units() if self.units[u]["branch"] != b)

    def staff(self, role: str, *, not_branch: int | None = None, in_branch: int | None = None) -> int | None:
        for uid in sorted(self.users):
            u = self.users[uid]
            if not u["active"] or role not in u["roles"] or u["unit"] is None:
                continue
            b = self.branch(u["unit"])
            if not_branch is not None and (b == not_branch or b is None):
                continue
            if in_branch is not None and b != in_branch:
                continue
            return uid
        return None

    def wrong_role_user(self, *roles: str) -> int:
        """An active user holding none of `roles` (the call-centre agent, usually)."""
        return next(uid for uid in sorted(self.users)
                    if self.users[uid]["active"] and not set(self.users[uid]["roles"]) & set(roles)
                    and self.users[uid]["roles"])

    def contact_of(self, gid: int) -> int:
        return min(c for c, v in self.contacts.items() if v["group"] == gid and v["status"] == "active")

    def contact_not_of(self, gid: int) -> int:
        return min(c for c, v in self.contacts.items() if v["group"] != gid and v["status"] == "active")

    def site_of(self, gid: int) -> int:
        return min(self.groups[gid]["sites"])

    def site_not_of(self, gid: int) -> int:
        return min(s for s, v in self.sites.items() if v["group"] != gid)

    def member_of(self, gid: int) -> dict:
        return next(m for m in self.members if m["group"] == gid)

    def group_branch(self, gid: int) -> int:
        return self.branch(self.groups[gid]["unit"])
