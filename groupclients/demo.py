"""Demo customers: groups of every class, sites in several units, contacts of every type, members.

Sizes per --scale step: 200 groups, ~1 000 contacts, ~2 000 members, so that --scale 500 gives the
benchmark province (100 000 groups, 500 000 contacts, 1 000 000 members). Rows are bulk-inserted
(no history rows for generated data); a second run adds nothing.
"""
from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.db.models import Max

from accounts.models import OrgUnit

from .models import (
    CompetitorContract,
    Contact,
    GroupCustomer,
    Industry,
    Member,
    OrganisationType,
    Product,
    Site,
    Subscription,
    VipTier,
)
from .services import groups_refresh_quality_all

GROUPS_PER_SCALE = 200
CITY = {"ZJ-HZ": "杭州", "ZJ-NB": "宁波"}
SUFFIX = ["科技有限公司", "实业集团", "银行分行", "电力公司", "人民医院", "物流有限公司", "中学", "建设集团",
          "保险公司", "制造有限公司", "大酒店", "农业合作社", "区人民政府", "商贸有限公司"]


def seed(ctx) -> None:
    rnd = random.Random(20261122)
    target = GROUPS_PER_SCALE * ctx.scale
    existing = GroupCustomer.objects.filter(code__startswith="DG").count()
    if existing >= target:
        ctx.log(f"  customers: {existing} demo groups already present")
        return
    units = list(OrgUnit.objects.filter(level=OrgUnit.Level.UNIT).order_by("code"))
    staff = ctx.data["staff"]
    ams_by_unit: dict[int, list] = {}
    mms_by_unit: dict[int, list] = {}
    for u in staff["am"]:
        ams_by_unit.setdefault(u.unit_id, []).append(u)
    for u in staff["mm"]:
        mms_by_unit.setdefault(u.unit_id, []).append(u)
    am1, am2, mm1 = ctx.data["am1"], ctx.data["am2"], ctx.data["mm1"]
    org_types = list(OrganisationType.objects.all())
    industries = list(Industry.objects.all())
    products = list(Product.objects.all())
    fake = ctx.fake

    groups = []
    for n in range(existing, target):
        unit = units[n % len(units)]
        # the first groups go to the named demo AMs so their pages have real portfolios
        if n < 24:
            am = am1 if n % 2 == 0 else am2
            unit = am.unit
        else:
            am = rnd.choice(ams_by_unit.get(unit.pk) or staff["am"])
        grade = "A" if n % 10 == 0 else ("B" if n % 10 in (1, 2, 3) else "C")
        city = CITY.get(unit.code[:5], unit.name[:2])
        name = f"{city}{fake.last_name()}{fake.word()}{rnd.choice(SUFFIX)}"
        incomplete = n % 17 == 5  # some prospects with missing core fields, for the data-quality list
        g = GroupCustomer(
            code=f"DG{n:07d}", name=name, org_type=rnd.choice(org_types),
            address="" if incomplete else f"{city}{fake.street_address()}",
            phone="" if incomplete else f"0{rnd.randint(570, 579)}-{rnd.randint(80000000, 89999999)}",
            industry=rnd.choice(industries), employee_count=None if incomplete else rnd.randint(20, 20000),
            annual_revenue=None if incomplete else Decimal(rnd.randint(100, 500000)),
            grade=grade, status="prospect" if incomplete else ("churned" if n % 53 == 7 else "active"),
            unit=unit, account_manager=am, postcode=f"{rnd.randint(310000, 319999)}",
            anniversary=dt.date(rnd.randint(1985, 2020), rnd.randint(1, 12), rnd.randint(1, 28)),
            telecom_budget=Decimal(rnd.randint(5, 800)), mobile_count=rnd.randint(10, 3000),
            preferred_channels=rnd.sample(["counter", "10086", "sms_hall", "online"], 2),
        )
        g.refresh_derived()
        groups.append(g)
    GroupCustomer.objects.bulk_create(groups, batch_size=2000)
    groups = list(GroupCustomer.objects.filter(code__in=[g.code for g in groups])
                  .select_related("unit", "account_manager").order_by("pk"))

    sites, contacts, subs, contracts = [], [], [], []
    next_contact = (Contact.objects.aggregate(m=Max("id"))["m"] or 0) + 1
    types = [Contact.Type.DECISION_MAKER, Contact.Type.DEPT_HEAD, Contact.Type.CONTACT, Contact.Type.CONTACT,
             Contact.Type.OTHER_DECISION_MAKER]
    today = dt.date.today()
    for g in groups:
        n = int(g.code[2:])
        local_mm = mm1 if g.unit_id == mm1.unit_id else rnd.choice(mms_by_unit.get(g.unit_id) or staff["mm"])
        sites.append(Site(group=g, name="总部", address=g.address, unit=g.unit, local_am=g.account_manager,
                          local_mm=local_mm, is_headquarters=True))
        if g.grade in ("A", "B") and len(units) > 1:
            # a branch office in another unit: the cross-region case of TKT-9
            other = units[(units.index(next(u for u in units if u.pk == g.unit_id)) + 1) % len(units)]
            sites.append(Site(group=g, name=f"{other.name}分部", address=fake.street_address(), unit=other,
                              local_am=rnd.choice(ams_by_unit.get(other.pk) or staff["am"]),
                              local_mm=rnd.choice(mms_by_unit.get(other.pk) or staff["mm"])))
        for k, t in enumerate(types):
            if n % 7 == 3 and t == Contact.Type.DEPT_HEAD:
                continue  # below the CT-2 minimum for the data-quality list
            mobile = f"138{next_contact:08d}"
            next_contact += 1
            vip = ""
            if g.grade in ("A", "B") and t in (Contact.Type.DECISION_MAKER, Contact.Type.DEPT_HEAD):
                vip = VipTier.GOLD if t == Contact.Type.DECISION_MAKER else VipTier.SILVER
            contacts.append(Contact(
                group=g, name=fake.name(), type=t, is_primary=(k == 2 and n % 11 != 4), mobile=mobile,
                department=rnd.choice(["办公室", "信息中心", "综合部", "财务部", "行政部"]),
                post=rnd.choice(["主任", "总经理", "副总经理", "科长", "专员"]),
                birthday=dt.date(rnd.randint(1960, 1995), rnd.randint(1, 12), rnd.randint(1, 28)),
                counterpart=None if n % 9 == 2 else g.account_manager,
                counterpart_level="" if n % 9 == 2 else Contact.CounterpartLevel.AM,
                vip_tier=vip, do_not_disturb=(n % 13 == 0 and k == 4),
            ))
        for p in rnd.sample(products, 2):
            subs.append(Subscription(group=g, product=p, quantity=rnd.randint(1, 200),
                                     monthly_fee=Decimal(rnd.randint(100, 50000))))
        if n % 4 == 0:
            contracts.append(CompetitorContract(
                group=g, operator=rnd.choice(["telecom", "unicom"]), category=rnd.choice(["internet", "fixed", "ict"]),
                quantity=rnd.randint(1, 50), tariff=f"{rnd.randint(1, 30) * 100}元/月",
                start_on=today - dt.timedelta(days=rnd.randint(200, 900)),
                end_on=today + dt.timedelta(days=rnd.randint(-30, 400)),
            ))
    Site.objects.bulk_create(sites, batch_size=2000)
    Contact.objects.bulk_create(contacts, batch_size=2000)
    Subscription.objects.bulk_create(subs, batch_size=2000)
    CompetitorContract.objects.bulk_create(contracts, batch_size=2000)

    # members: ~10 per group; key persons' own lines linked to their contact record
    members = []
    next_member = Member.objects.filter(mobile__startswith="139").count() + 1
    key_contacts = {}
    for c in Contact.objects.filter(group__in=groups, type=Contact.Type.DECISION_MAKER).only("id", "group_id"):
        key_contacts[c.group_id] = c.pk
    mobile_products = [p for p in products if p.code in ("mobile", "vnet", "iot")] or products
    for g in groups:
        for k in range(10):
            tier = ""
            roll = rnd.random()
            if roll < 0.03:
                tier = VipTier.DIAMOND
            elif roll < 0.10:
                tier = VipTier.GOLD
            elif roll < 0.20:
                tier = VipTier.SILVER
            members.append(Member(
                group=g, mobile=f"139{next_member:08d}", name=fake.name(), product=rnd.choice(mobile_products),
                vip_tier=tier, billing_type=rnd.choice(["prepaid", "postpaid", "postpaid", "postpaid_prepay"]),
                contact_id=key_contacts.get(g.pk) if k == 0 else None,
                status="left" if rnd.random() < 0.04 else "active",
                joined_on=today - dt.timedelta(days=rnd.randint(30, 2000)),
            ))
            next_member += 1
        if len(members) >= 20000:
            Member.objects.bulk_create(members, batch_size=5000)
            members = []
    Member.objects.bulk_create(members, batch_size=5000)
    groups_refresh_quality_all()
    ctx.data["groups"] = groups
    ctx.log(f"  customers: {len(groups)} groups, {len(sites)} sites, {len(contacts)} contacts, "
            f"~{len(groups) * 10} members")
