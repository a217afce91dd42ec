"""The write matrix (issue 12): for every demo role and every writable API or form field that names
another object, a write outside the role's scope is refused (400/403/404) and changes nothing.

Runs against the `demo_site` fixture (seed_demo data over HTTP). The fields come from introspection
(`write_matrix.api_fields` / `form_fields`); the out-of-scope values from `write_matrix.World`, which
restates ORG-3 from the SPEC. Each cell is one request; afterwards a readback as admin (the object,
or the count of its list) shows nothing changed, and a fingerprint of every table taken before and
after the whole matrix shows that no refused write left anything behind (a ledger entry, an SMS …).

A 400 must name the field under test (or a field it drags along: a site's unit re-checks its local
pair), so a request that fails for an unrelated reason — a stale base body — fails the check instead
of passing it. Run alone: `make test PYTEST_ARGS="tests/checks/test_write_matrix.py -s"`.
"""
from __future__ import annotations

import datetime as dt
import re
import time
from collections import Counter
from dataclasses import dataclass

from . import demo_site as ds
from . import write_matrix as wm

REFUSED = {400, 403, 404}
# A 400 about the field under test may name a field it implies.
LINKED = {"unit": {"local_am", "local_mm", "account_manager"}, "visited_at": {"started_at"},
          "started_at": {"visited_at"}, "account_manager": {"unit"}}
# PUT runs DRF's UpdateModelMixin.update → the same perform_update and service as PATCH (partial=False
# only makes every field required), so its cells are the PATCH cells.
PUT_AS_PATCH = True
# Ticket action forms post to one view that redirects back to the ticket with a message; their
# services are the API's, whose cells cover the same fields.
FORMS_VIA_API = {"AmLogForm": "POST /api/v1/tickets/{pk}/am-log/",
                 "ParticipationForm": "POST /api/v1/tickets/{pk}/participation/"}
OLD_DAY = {"penalty": "2024-03-01T10:00:00+08:00", "period": "2024-01-05T09:00:00+08:00"}


def _now_iso(hours: float = -1) -> str:
    return (dt.datetime.now(dt.timezone(dt.timedelta(hours=8))) + dt.timedelta(hours=hours)).isoformat()


def _day(days: int) -> str:
    return (dt.date.today() + dt.timedelta(days=days)).isoformat()


# ---- what each operation writes to, and a body that would be valid but for the cell's field -----
def _create_group_base(w: wm.World, uid: int, ctx: dict) -> dict:
    unit = w.users[uid]["unit"]
    sup = w.supervised_units(uid)
    if unit is None or w.units[unit]["level"] != "unit":
        unit = min(sup) if sup else w.leaf_units()[0]
    am = uid if "am" in w.roles(uid) else (w.staff("am", in_branch=w.branch(unit)) or w.staff("am"))
    for a in sorted(w.users):  # an AM of the unit itself, for a leader
        if "am" in w.users[a]["roles"] and w.users[a]["unit"] == unit and "am" not in w.roles(uid):
            am = a
            break
    return {"name": "矩阵测试集团", "grade": "C", "unit": unit, "account_manager": am}


def _own_group(w, uid, ctx=None):
    gid = w.own_group(uid) or w.any_group()
    return {"group": gid}


def _read_group(w, uid, ctx=None):
    gid = w.own_group(uid, home=False) if not w.roles(uid) & {"agent", "quality", "admin"} else None
    return {"group": gid or w.any_group()}


def _ticket(w, uid, statuses=None, actor=None):
    def ok(t):
        return statuses is None or t["status"] in statuses

    mine = [tid for tid, t in sorted(w.tickets.items()) if ok(t) and actor and actor(w, uid, t)]
    anyone = [tid for tid, t in sorted(w.tickets.items()) if ok(t)] or sorted(w.tickets)
    tid = (mine or anyone)[0]
    return {"pk": tid, "group": w.tickets[tid]["group"], "ticket": w.tickets[tid]}


OPEN = ("dispatched", "acknowledged")


def _participation_actor(w, uid, t):
    if t["am"] == uid:
        return True
    sup = w.supervised_units(uid)
    return bool(w.roles(uid) & {"leader", "manager"}) and (sup is None or t["unit"] in sup)


API_OPERATIONS: dict[str, dict] = {
    "POST /api/v1/groups/": dict(
        target=lambda w, uid: {}, url=lambda c: "/api/v1/groups/", base=_create_group_base,
        count=lambda c: "/api/v1/groups/"),
    "PATCH /api/v1/groups/{pk}/": dict(
        target=lambda w, uid: {**_own_group(w, uid, {}), "pk": _own_group(w, uid, {})["group"]},
        url=lambda c: f"/api/v1/groups/{c['pk']}/", base=lambda w, uid, c: {},
        readback=lambda c: f"/api/v1/groups/{c['pk']}/"),
    "POST /api/v1/groups/{pk}/contacts/": dict(
        target=lambda w, uid: {**_own_group(w, uid, {})}, url=lambda c: f"/api/v1/groups/{c['group']}/contacts/",
        base=lambda w, uid, c: {"name": "矩阵联系人", "type": "contact", "mobile": "13700009999",
                                "counterpart_level": "am"},
        count=lambda c: f"/api/v1/contacts/?group={c['group']}&all=1"),
    "PATCH /api/v1/contacts/{pk}/": dict(
        target=lambda w, uid: (lambda g: {"group": g, "pk": w.contact_of(g)})(_own_group(w, uid, {})["group"]),
        url=lambda c: f"/api/v1/contacts/{c['pk']}/", base=lambda w, uid, c: {"counterpart_level": "am"},
        readback=lambda c: f"/api/v1/contacts/{c['pk']}/"),
    "POST /api/v1/sites/": dict(
        target=lambda w, uid: (lambda g: {"group": g, "unit": w.sites[w.site_of(g)]["unit"]})(
            _own_group(w, uid)["group"]), url=lambda c: "/api/v1/sites/",
        base=lambda w, uid, c: (lambda s: {"group": c["group"], "name": "矩阵站点", "unit": s["unit"],
                                           "local_am": s["am"], "local_mm": s["mm"]})(
            w.sites[w.site_of(c["group"])]),
        count=lambda c: f"/api/v1/sites/?group={c['group']}"),
    "PATCH /api/v1/sites/{pk}/": dict(
        target=lambda w, uid: (lambda g: {"group": g, "pk": w.site_of(g), "unit": w.sites[w.site_of(g)]["unit"]})(
            _own_group(w, uid, {})["group"]),
        url=lambda c: f"/api/v1/sites/{c['pk']}/", base=lambda w, uid, c: {},
        readback=lambda c: f"/api/v1/sites/{c['pk']}/"),
    "POST /api/v1/members/": dict(
        target=_own_group, url=lambda c: "/api/v1/members/",
        base=lambda w, uid, c: {"group": c["group"], "mobile": "13999990001", "name": "矩阵成员"},
        count=lambda c: "/api/v1/members/"),
    "PATCH /api/v1/members/{pk}/": dict(
        target=lambda w, uid: (lambda g: {"group": g, "pk": w.member_of(g)["id"]})(_own_group(w, uid, {})["group"]),
        url=lambda c: f"/api/v1/members/{c['pk']}/", base=lambda w, uid, c: {},
        readback=lambda c: f"/api/v1/members/{c['pk']}/"),
    "POST /api/v1/members/bulk/": dict(
        target=_own_group, url=lambda c: "/api/v1/members/bulk/",
        base=lambda w, uid, c: {"members": [{"mobile": "13999990002", "group": str(c["group"])}]},
        count=lambda c: "/api/v1/members/"),
    "POST /api/v1/visits/": dict(
        target=_own_group, url=lambda c: "/api/v1/visits/",
        base=lambda w, uid, c: {"group": c["group"], "contacts": [w.contact_of(c["group"])], "kind": "routine",
                                "purposes": ["relationship"], "notes": "矩阵走访", "visited_at": _now_iso(),
                                "next_visit_on": _day(20)},
        count=lambda c: "/api/v1/visits/"),
    "POST /api/v1/tickets/": dict(
        target=_read_group, url=lambda c: "/api/v1/tickets/", group_access="read",
        base=lambda w, uid, c: {"group": c["group"], "site": w.site_of(c["group"]), "product": w.product,
                                "severity": "minor", "description": "矩阵故障", "reporter_name": "矩阵",
                                "callback_number": "13900000009"},
        count=lambda c: "/api/v1/tickets/?queue=all"),
    "POST /api/v1/tickets/{pk}/am-log/": dict(
        target=lambda w, uid: _ticket(w, uid, actor=lambda w, u, t: t["am"] == u),
        url=lambda c: f"/api/v1/tickets/{c['pk']}/am-log/",
        base=lambda w, uid, c: {"cause": "line", "repair": "矩阵", "assessment": "矩阵"},
        readback=lambda c: f"/api/v1/tickets/{c['pk']}/", compare=("status", "am_cause")),
    "POST /api/v1/tickets/{pk}/participation/": dict(
        target=lambda w, uid: _ticket(w, uid, OPEN, _participation_actor),
        url=lambda c: f"/api/v1/tickets/{c['pk']}/participation/", base=lambda w, uid, c: {"mode": "substitute"},
        readback=lambda c: f"/api/v1/tickets/{c['pk']}/", compare=("participation", "status")),
    "POST /api/v1/tickets/{pk}/misroute/": dict(
        target=lambda w, uid: _ticket(w, uid, OPEN, lambda w, u, t: u in (t["am"], t["mm"])),
        url=lambda c: f"/api/v1/tickets/{c['pk']}/misroute/", base=lambda w, uid, c: {"real_location": "矩阵"},
        readback=lambda c: f"/api/v1/tickets/{c['pk']}/", compare=("status", "misroute_count")),
    "POST /api/v1/tickets/{pk}/redispatch/": dict(
        target=lambda w, uid: _ticket(w, uid), url=lambda c: f"/api/v1/tickets/{c['pk']}/redispatch/",
        base=lambda w, uid, c: {}, readback=lambda c: f"/api/v1/tickets/{c['pk']}/", compare=("status", "site")),
    "POST /api/v1/complaints/": dict(
        target=_read_group, url=lambda c: "/api/v1/complaints/", group_access="read",
        base=lambda w, uid, c: {"group": c["group"], "kind": "complaint", "channel": "call_centre",
                                "description": "矩阵投诉"},
        count=lambda c: "/api/v1/complaints/"),
    "POST /api/v1/complaints/{pk}/escalate/": dict(
        target=lambda w, uid: ({"pk": min(w.complaints), "group": w.complaints[min(w.complaints)]["group"]}
                               if w.complaints else None),
        url=lambda c: f"/api/v1/complaints/{c['pk']}/escalate/", base=lambda w, uid, c: {},
        readback=lambda c: f"/api/v1/complaints/{c['pk']}/", compare=("escalated_unrecorded",)),
    "POST /api/v1/billing/payments/": dict(
        target=lambda w, uid: {}, url=lambda c: "/api/v1/billing/payments/", admin_only=True,
        base=lambda w, uid, c: {"amount": "1.00", "external_id": "MATRIX-PAY-1"}),
    "POST /api/v1/billing/accounts/bulk/": dict(
        target=lambda w, uid: {}, url=lambda c: "/api/v1/billing/accounts/bulk/", admin_only=True,
        base=lambda w, uid, c: {"accounts": [{"external_id": "MATRIX-ACC-1", "kind": "prepaid"}]}),
}


def _leaf(name: str) -> str:
    return name.split(".")[-1]


def foreign_value(w: wm.World, uid: int, nf: wm.NamingField, ctx: dict, op: dict):
    """A value of `nf` outside the scope of user `uid` (None: there is none — the role's scope is
    everything, e.g. the administrator's groups). Lists for to-many fields."""
    leaf, target, roles = _leaf(nf.name), nf.target, w.roles(uid)
    gid = ctx.get("group")
    value = None
    if op.get("admin_only") and "admin" in roles:
        return None  # the billing system's feed: the integration account names any account
    if target == "GroupCustomer":
        value = w.foreign_group(uid, op.get("group_access", "write"))
        if value is not None and nf.name.count("."):
            value = str(value)
        if op.get("admin_only"):
            value = str(w.any_group())
    elif target == "OrgUnit":
        if "site" in nf.where.lower() or "Site" in nf.where:
            value = w.other_branch_unit(ctx.get("unit") or w.groups[gid]["unit"])
        elif "admin" in roles:
            value = None
        else:
            value = w.other_branch_unit(w.users[uid]["unit"])
    elif target == "User":
        near = w.branch(ctx.get("unit")) if ctx.get("unit") else (w.group_branch(gid) if gid else None)
        if leaf == "account_manager":
            value = w.wrong_role_user("am") if "admin" in roles else (
                w.staff("am", not_branch=w.branch(w.users[uid]["unit"])) or w.staff("am"))
        elif leaf in ("local_am", "local_mm"):
            value = w.staff("am" if leaf == "local_am" else "mm", not_branch=near)
        elif leaf == "counterpart":
            value = w.staff("am", not_branch=w.group_branch(gid))
        elif leaf == "companions":
            value = w.staff("mm", not_branch=w.group_branch(gid))
        elif leaf == "substitute":
            t = ctx.get("ticket") or {}
            value = (w.staff("leader", not_branch=w.branch(t.get("unit"))) or
                     w.staff("manager", not_branch=w.branch(t.get("unit"))) or w.wrong_role_user("leader", "manager"))
        elif leaf == "team":
            value = w.staff("am", not_branch=w.group_branch(gid))
        else:
            value = w.wrong_role_user(*w.roles(uid))
    elif target == "Contact":
        value = w.contact_not_of(gid)
    elif target == "Site":
        value = w.site_not_of(gid)
    elif target == "Member":
        value = [w.members[0]["mobile"]]
    elif target == "BillingAccount":
        value = next(iter(w.accounts.values()))["external_id"] if w.accounts else "NO-SUCH-ACCOUNT"
    elif target == "Package":
        value = "MATRIX-PKG"
    elif target == "penalty":
        if leaf in ("escalated_unrecorded", "unrecorded"):
            value = None if roles & {"quality", "admin"} else True  # the quality desk's finding (item 3)
        else:
            value = OLD_DAY["penalty"]
    elif target == "period":
        value = OLD_DAY["period"]
    else:
        raise AssertionError(f"{nf}: no rule for a field naming {target}; add one to foreign_value")
    if value is None:
        return None
    if nf.many and not isinstance(value, list):
        value = [value]
    return value


def set_field(body: dict, name: str, value) -> dict:
    head, _, rest = name.partition(".")
    if not rest:
        body[head] = value
    else:
        for row in body[head] if isinstance(body[head], list) else [body[head]]:
            set_field(row, rest, value)
    return body


def _keys(obj) -> set[str]:
    out: set[str] = set()
    if isinstance(obj, dict):
        for k, v in obj.items():
            out.add(k)
            out |= _keys(v)
    elif isinstance(obj, list):
        for v in obj:
            out |= _keys(v)
    return out


@dataclass
class Outcome:
    where: str
    role: str
    field: str
    status: int
    ok: bool
    why: str = ""


class Admin:
    """Readbacks as the administrator (who sees everything)."""

    def __init__(self, site):
        self.api = site.api("admin")
        self.url = site.url

    def get(self, path: str) -> dict:
        r = self.api.get(self.url + path, timeout=60)
        assert r.status_code == 200, (path, r.status_code, r.text[:300])
        return r.json()

    def count(self, path: str) -> int:
        return self.get(path)["count"]


def _snapshot(admin: Admin, op: dict, ctx: dict, nf: wm.NamingField):
    if "readback" in op:
        data = admin.get(op["readback"](ctx))
        keys = op.get("compare") or (_leaf(nf.name),)
        return {k: data.get(k) for k in keys}
    if "count" in op:
        return admin.count(op["count"](ctx))
    return None


def api_cells(site, w: wm.World, admin: Admin, fields: list[wm.NamingField]) -> tuple[list[Outcome], list[str]]:
    outcomes, na = [], []
    for nf in fields:
        op_key = nf.where.replace("PUT ", "PATCH ") if PUT_AS_PATCH else nf.where
        if nf.where.startswith("PUT "):
            continue  # the PATCH cell is the same code path (see PUT_AS_PATCH)
        op = API_OPERATIONS[op_key]
        for role in ds.DEMO_USERS:
            uid = w.by_name[role]
            ctx = op["target"](w, uid)
            if ctx is None:
                na.append(f"{nf.where} {nf.name} {role}: nothing of this kind in the seed data")
                continue
            value = foreign_value(w, uid, nf, ctx, op)
            if value is None:
                na.append(f"{nf.where} {nf.name} {role}: every value is in this role's scope")
                continue
            body = set_field(op["base"](w, uid, ctx), nf.name, value)
            before = _snapshot(admin, op, ctx, nf)
            method = nf.where.split()[0]
            r = site.api(role).request(method, site.url + op["url"](ctx), json=body, timeout=60)
            after = _snapshot(admin, op, ctx, nf)
            ok, why = r.status_code in REFUSED, ""
            if not ok:
                why = f"answered {r.status_code}: {r.text[:300]}"
            elif r.status_code == 400:
                named = _keys(r.json())
                wanted = {_leaf(nf.name), nf.name.split(".")[0]} | LINKED.get(_leaf(nf.name), set())
                if not named & wanted:
                    ok, why = False, f"400 about something else (stale base body?): {r.text[:300]}"
            if ok and before != after:
                ok, why = False, f"refused ({r.status_code}) but changed: {before} → {after}"
            outcomes.append(Outcome(nf.where, role, nf.name, r.status_code, ok, why))
    return outcomes, na


# ---- HTML forms -------------------------------------------------------------------------------
def _local(iso: str) -> str:
    return iso[:16]


def _group_edit_data(admin: Admin, gid: int) -> dict:
    g = admin.get(f"/api/v1/groups/{gid}/")
    data = {}
    for f in ("name", "org_type", "industry", "address", "phone", "employee_count", "annual_revenue", "grade",
              "unit", "account_manager", "anniversary", "postcode", "website", "member_cap",
              "registered_capital", "annual_profit", "telecom_budget", "mobile_count", "informatisation_notes"):
        data[f] = "" if g.get(f) is None else g[f]
    data["preferred_channels"] = g.get("preferred_channels") or []
    return data


def _contact_edit_data(site, admin: Admin, cid: int) -> dict:
    c = admin.get(f"/api/v1/contacts/{cid}/")
    clear = admin.api.post(f"{site.url}/api/v1/contacts/{cid}/reveal/", timeout=30).json()
    data = {f: ("" if c.get(f) is None else c[f]) for f in (
        "name", "type", "department", "post", "office_phone", "email", "counterpart", "counterpart_level",
        "vip_tier", "status")}
    data.update(mobile=clear["mobile"], birthday=clear["birthday"], id_number=clear["id_number"])
    for b in ("is_primary", "do_not_disturb", "no_surveys", "vip_designated", "is_gotone"):
        if c.get(b):
            data[b] = "on"
    return data


def _site_data(admin: Admin, sid: int) -> dict:
    s = admin.get(f"/api/v1/sites/{sid}/")
    data = {f: s[f] for f in ("name", "address", "unit", "local_am", "local_mm")}
    if s.get("is_headquarters"):
        data["is_headquarters"] = "on"
    return data


def form_ops(site, w: wm.World, admin: Admin) -> dict[str, list[dict]]:
    """For each form class: the pages that post it, with a valid base and a readback."""
    def own(uid):
        return w.own_group(uid) or w.any_group()

    return {
        "GroupForm": [
            dict(url=lambda uid, c: "/groups/new/", ctx=lambda uid: {},
                 base=lambda uid, c: _create_group_base(w, uid, c), count=lambda c: "/api/v1/groups/"),
            dict(url=lambda uid, c: f"/groups/{c['group']}/edit/", ctx=lambda uid: {"group": own(uid)},
                 base=lambda uid, c: _group_edit_data(admin, c["group"]),
                 readback=lambda c: f"/api/v1/groups/{c['group']}/"),
        ],
        "ContactForm": [
            dict(url=lambda uid, c: f"/groups/{c['group']}/contacts/new/", ctx=lambda uid: {"group": own(uid)},
                 base=lambda uid, c: {"name": "矩阵联系人", "type": "contact", "mobile": "13700009998",
                                      "counterpart_level": "am"},
                 count=lambda c: f"/api/v1/contacts/?group={c['group']}&all=1"),
            dict(url=lambda uid, c: f"/groups/contacts/{c['pk']}/edit/",
                 ctx=lambda uid: {"group": own(uid), "pk": w.contact_of(own(uid))},
                 base=lambda uid, c: _contact_edit_data(site, admin, c["pk"]),
                 readback=lambda c: f"/api/v1/contacts/{c['pk']}/"),
        ],
        "SiteForm": [
            dict(url=lambda uid, c: f"/groups/{c['group']}/sites/new/",
                 ctx=lambda uid: {"group": own(uid), "unit": w.sites[w.site_of(own(uid))]["unit"]},
                 base=lambda uid, c: {**_site_data(admin, w.site_of(c["group"])), "name": "矩阵站点",
                                      "is_headquarters": ""},
                 count=lambda c: f"/api/v1/sites/?group={c['group']}"),
            dict(url=lambda uid, c: f"/groups/sites/{c['pk']}/edit/",
                 ctx=lambda uid: {"group": own(uid), "pk": w.site_of(own(uid)),
                                  "unit": w.sites[w.site_of(own(uid))]["unit"]},
                 base=lambda uid, c: _site_data(admin, c["pk"]), readback=lambda c: f"/api/v1/sites/{c['pk']}/"),
        ],
        "MemberForm": [
            dict(url=lambda uid, c: f"/groups/{c['group']}/members/new/", ctx=lambda uid: {"group": own(uid)},
                 base=lambda uid, c: {"mobile": "13999990003", "billing_type": "postpaid", "status": "active"},
                 count=lambda c: f"/api/v1/members/?group={c['group']}"),
        ],
        "OpportunityForm": [
            dict(url=lambda uid, c: f"/groups/{c['group']}/opportunities/new/", ctx=lambda uid: {"group": own(uid)},
                 base=lambda uid, c: {"title": "矩阵商机", "category": "internet", "importance": "medium",
                                      "need": "矩阵"}),
        ],
        "VisitForm": [
            dict(url=lambda uid, c: f"/visits/new/{c['group']}/", ctx=lambda uid: {"group": own(uid)},
                 base=lambda uid, c: {"kind": "routine", "contacts": [w.contact_of(c["group"])],
                                      "purposes": ["relationship"], "started_at": _local(_now_iso()),
                                      "notes": "矩阵走访", "next_visit_on": _day(20)},
                 count=lambda c: "/api/v1/visits/"),
        ],
        "PlanForm": [
            dict(url=lambda uid, c: "/visits/plan/", ctx=lambda uid: {"group": own(uid)},
                 base=lambda uid, c: {"group": c["group"], "planned_on": _day(3), "note": "矩阵"}),
        ],
        "ComplaintForm": [
            dict(url=lambda uid, c: "/tickets/complaints/new/", ctx=lambda uid: _read_group(w, uid, {}),
                 group_access="read",
                 base=lambda uid, c: {"group": c["group"], "kind": "complaint", "channel": "call_centre",
                                      "description": "矩阵投诉"},
                 count=lambda c: "/api/v1/complaints/"),
        ],
        "TicketForm": [
            dict(url=lambda uid, c: f"/tickets/new/{c['group']}/", ctx=lambda uid: _read_group(w, uid, {}),
                 group_access="read",
                 base=lambda uid, c: {"site": w.site_of(c["group"]), "product": w.product, "severity": "minor",
                                      "description": "矩阵故障", "reporter_name": "矩阵",
                                      "callback_number": "13900000009"},
                 count=lambda c: "/api/v1/tickets/?queue=all"),
        ],
    }


ERROR_ID = re.compile(r'id="error_\d+_id_(\w+)"')


def form_cells(site, w: wm.World, admin: Admin, fields: list[wm.NamingField]) -> tuple[list[Outcome], list[str]]:
    ops = form_ops(site, w, admin)
    outcomes, na = [], []
    sessions = {}
    for nf in fields:
        form = nf.where.split()[1]
        if form in FORMS_VIA_API:
            na.append(f"{nf.where} {nf.name}: covered by {FORMS_VIA_API[form]} (same service)")
            continue
        for op in ops[form]:
            for role in ds.DEMO_USERS:
                uid = w.by_name[role]
                ctx = op["ctx"](uid)
                value = foreign_value(w, uid, nf, ctx, op)
                if value is None:
                    na.append(f"{nf.where} {nf.name} {role}: every value is in this role's scope")
                    continue
                data = set_field(op["base"](uid, ctx), nf.name, value)
                s = sessions.get(role) or sessions.setdefault(role, site.login(role))
                url = site.url + op["url"](uid, ctx)
                before = _snapshot(admin, op, ctx, nf)
                r = s.post(url, data={**data, "csrfmiddlewaretoken": s.cookies.get("csrftoken")},
                           headers={"Referer": url}, allow_redirects=False, timeout=60)
                after = _snapshot(admin, op, ctx, nf)
                ok, why = r.status_code in REFUSED, ""
                if not ok:
                    why = f"answered {r.status_code} {r.headers.get('Location', '')}"
                elif r.status_code == 400:
                    wrong = set(ERROR_ID.findall(r.text)) - {_leaf(nf.name)} - LINKED.get(_leaf(nf.name), set())
                    if wrong:
                        ok, why = False, f"400 about other fields (stale base data?): {sorted(wrong)}"
                if ok and before != after:
                    ok, why = False, f"refused ({r.status_code}) but changed: {before} → {after}"
                outcomes.append(Outcome(f"{nf.where} {op['url'](uid, ctx)}", role, nf.name, r.status_code, ok, why))
    return outcomes, na


def test_every_naming_field_has_a_way_to_be_written():
    """A new write operation or form (not a new field: those are automatic) needs its base body here."""
    api, _ = wm.api_fields()
    forms, _ = wm.form_fields()
    missing = sorted({f.where for f in api if f.where.replace("PUT ", "PATCH ") not in API_OPERATIONS})
    assert not missing, f"write operations naming other objects without a matrix entry: {missing}"
    known_forms = {"GroupForm", "ContactForm", "SiteForm", "MemberForm", "OpportunityForm", "VisitForm",
                   "ComplaintForm", "TicketForm", "PlanForm", *FORMS_VIA_API}
    missing = sorted({f.where for f in forms if f.where.split()[1] not in known_forms})
    assert not missing, f"forms naming other objects without a matrix entry: {missing}"
    # the fields the issue names are all found by introspection
    found = {(f.where, f.name) for f in api + forms}
    for expected in [("PATCH /api/v1/sites/{pk}/", "group"), ("PATCH /api/v1/sites/{pk}/", "local_am"),
                     ("PATCH /api/v1/groups/{pk}/", "account_manager"), ("PATCH /api/v1/groups/{pk}/", "unit"),
                     ("POST /api/v1/visits/", "companions"), ("POST /api/v1/complaints/", "received_at"),
                     ("POST /api/v1/complaints/", "escalated_unrecorded"), ("PATCH /api/v1/contacts/{pk}/",
                                                                            "counterpart"),
                     ("POST /api/v1/billing/payments/", "account"), ("form GroupForm", "unit")]:
        assert expected in found, expected


def test_write_matrix(demo_site):
    """Issue 12: every out-of-scope write of every role to every naming field is refused and changes nothing."""
    started = time.monotonic()
    w = wm.World.load(demo_site)
    admin = Admin(demo_site)
    print_before = wm.run_shell(demo_site, wm.FINGERPRINT, "MATRIX-FINGERPRINT")
    api, api_ref = wm.api_fields()
    forms, form_ref = wm.form_fields()
    api_out, api_na = api_cells(demo_site, w, admin, api)
    form_out, form_na = form_cells(demo_site, w, admin, forms)
    print_after = wm.run_shell(demo_site, wm.FINGERPRINT, "MATRIX-FINGERPRINT")
    outcomes = api_out + form_out
    elapsed = time.monotonic() - started
    by_status = Counter(o.status for o in outcomes)
    print(f"\n[write-matrix] {len(outcomes)} cells ({len(api_out)} API, {len(form_out)} form) over "
          f"{len({(f.where, f.name) for f in api + forms})} fields × {len(ds.DEMO_USERS)} roles in {elapsed:.0f} s; "
          f"answers {dict(sorted(by_status.items()))}; {len(api_na) + len(form_na)} not applicable; "
          f"reference-data fields (any value allowed): {len(api_ref) + len(form_ref)}")
    for line in api_na + form_na:
        if "covered by" in line or "nothing of this kind" in line:
            print(f"[write-matrix]   n/a {line}")
    bad = [o for o in outcomes if not o.ok]
    changed = {k: (print_before.get(k), v) for k, v in print_after.items() if print_before.get(k) != v}
    assert not bad, "writes outside the role's scope not refused cleanly:\n" + "\n".join(
        f"  {o.role:9} {o.where} {o.field}: {o.why}" for o in bad)
    assert not changed, f"refused writes left rows behind: {changed}"
    assert len(outcomes) >= 150  # the matrix is not quietly empty
