"""Demo organisation and the named demo users (issue 2, item 7)."""
from __future__ import annotations

from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import OrgUnit, Role, User
from .services import user_set_roles
from .twofactor import required_by_role

R = Role.Code

# The demo users whose role requires a second factor (by default: admin) get a TOTP device with
# this known key, so the demo and the black-box checks can log in: RFC 6238's test key
# "12345678901234567890", base32 GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ (type it into an authenticator
# app, or compute the code with django_otp.oath.totp). Printed by seed_demo; see README.
DEMO_TOTP_KEY_HEX = "3132333435363738393031323334353637383930"
DEMO_TOTP_KEY_BASE32 = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"

# province → branches → units. The first two branches and four units are the named ones the
# demo users live in; --scale adds more branches (3 units each) so every table grows with it.
PROVINCE = ("ZJ", "浙江省公司")
BRANCHES = [
    ("ZJ-HZ", "杭州分公司", [("ZJ-HZ-XH", "西湖营销单元"), ("ZJ-HZ-BJ", "滨江营销单元"), ("ZJ-HZ-XS", "萧山营销单元")]),
    ("ZJ-NB", "宁波分公司", [("ZJ-NB-HS", "海曙营销单元"), ("ZJ-NB-YZ", "鄞州营销单元"), ("ZJ-NB-BL", "北仑营销单元")]),
]
EXTRA_CITIES = ["温州", "嘉兴", "湖州", "绍兴", "金华", "衢州", "舟山", "台州", "丽水"]
DISTRICT_SUFFIX = ["城区", "开发区", "县域"]

DEMO_USERS = [
    # username, unit code, roles, display name, description
    ("admin", "ZJ", [R.ADMIN], "系统管理员", "administrator"),
    ("am1", "ZJ-HZ-XH", [R.ACCOUNT_MANAGER], "王晓明", "account manager, 西湖营销单元 (杭州)"),
    ("am2", "ZJ-NB-HS", [R.ACCOUNT_MANAGER], "李娜", "account manager, 海曙营销单元 (宁波)"),
    ("mm1", "ZJ-HZ-XH", [R.MAINTENANCE_MANAGER], "张伟", "maintenance manager, am1's unit"),
    ("agent1", "ZJ", [R.AGENT], "陈静", "call-centre agent (10086)"),
    ("leader1", "ZJ-HZ-XH", [R.GROUP_LEADER], "刘洋", "group leader, am1's unit"),
    ("manager1", "ZJ-HZ", [R.DEPT_MANAGER], "赵磊", "group-department manager, 杭州分公司"),
    ("quality1", "ZJ", [R.QUALITY], "孙丽", "quality desk"),
    ("analyst1", "ZJ", [R.ANALYST], "周杰", "province analyst (read-only)"),
]


def _unit(code: str, name: str, level: str, parent: OrgUnit | None) -> OrgUnit:
    unit, created = OrgUnit.objects.get_or_create(
        code=code, defaults={"name": name, "level": level, "parent": parent}
    )
    return unit


def seed(ctx) -> None:
    province = _unit(*PROVINCE, OrgUnit.Level.PROVINCE, None)
    branches = list(BRANCHES)
    for i in range(min(len(EXTRA_CITIES), max(0, ctx.scale - 1))):
        city = EXTRA_CITIES[i]
        code = f"ZJ-X{i + 1:02d}"
        branches.append(
            (code, f"{city}分公司", [(f"{code}-{j}", f"{city}{s}营销单元") for j, s in enumerate(DISTRICT_SUFFIX)])
        )
    units: list[OrgUnit] = []
    for code, name, unit_defs in branches:
        branch = _unit(code, name, OrgUnit.Level.BRANCH, province)
        for ucode, uname in unit_defs:
            units.append(_unit(ucode, uname, OrgUnit.Level.UNIT, branch))
    by_code = {u.code: u for u in OrgUnit.objects.all()}
    ctx.data["province"] = province
    ctx.data["units"] = units

    described = {}
    for username, unit_code, roles, display, description in DEMO_USERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username, unit=by_code[unit_code], display_name=display,
                        email=f"{username}@example.com", mobile=ctx.fake.phone_number())
            user.set_password(ctx.password)
            user.save()
        user_set_roles(user=user, roles=roles)
        if "role_codes" in user.__dict__:
            del user.role_codes
        if required_by_role(user) and not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
            TOTPDevice.objects.create(user=user, name="demo", key=DEMO_TOTP_KEY_HEX, confirmed=True)
            description += f" — second factor: TOTP key {DEMO_TOTP_KEY_BASE32}"
        described[username] = description
        ctx.data[username] = user
    ctx.data["demo_users"] = described

    # More staff so pages have people in them: per unit one AM and one MM beyond the named ones,
    # ×scale. Usernames are deterministic so re-runs add nothing.
    staff = {"am": [ctx.data["am1"], ctx.data["am2"]], "mm": [ctx.data["mm1"]]}
    existing = set(User.objects.filter(username__startswith="demo_").values_list("username", flat=True))
    new_users = []
    role_for_new = []
    for unit in units:
        for kind in ("am", "mm"):
            for k in range(ctx.scale):
                username = f"demo_{kind}_{unit.code.lower()}_{k}"
                if username in existing:
                    continue
                u = User(username=username, unit=unit, display_name=ctx.fake.name(),
                         mobile=ctx.fake.phone_number())
                u.set_unusable_password()
                new_users.append(u)
                role_for_new.append(kind)
    User.objects.bulk_create(new_users, batch_size=1000)
    roles = {r.code: r for r in Role.objects.all()}
    through = User.roles.through
    created = User.objects.filter(username__in=[u.username for u in new_users])
    kind_by_name = {u.username: k for u, k in zip(new_users, role_for_new, strict=True)}
    through.objects.bulk_create(
        [through(user_id=u.pk, role_id=roles[kind_by_name[u.username]].pk) for u in created],
        batch_size=1000, ignore_conflicts=True,
    )
    for kind in ("am", "mm"):
        staff[kind] = list(
            User.objects.filter(roles__code=kind).select_related("unit").order_by("pk")
        )
    ctx.data["staff"] = staff
    ctx.log(f"  organisation: {len(branches)} branches, {len(units)} units; staff: "
            f"{len(staff['am'])} AMs, {len(staff['mm'])} MMs")
