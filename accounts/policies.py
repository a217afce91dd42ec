"""The accounts app's policy keys (SPEC CFG-1): which roles must use a second factor at login, and
how often a user may reveal personal data in clear (ORG-4).

Defaults: administrators must use a TOTP second factor; every other role may (a user who enrolled
a device is always asked for its code). The province-wide roles (call centre, quality desk,
province analyst) are one switch each away from "required". Reveals: 30 per user per hour.
"""
from __future__ import annotations

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from portal.policy import BOOL, GROUPS, INT, REGISTRY, PolicyDef, PolicyGroup, register

from .models import Role

SECURITY = next((g for g in GROUPS if g.code == "security"), None)
if SECURITY is None:
    SECURITY = PolicyGroup("security", _("Security"), "安全")
    GROUPS.append(SECURITY)

# role code → (default, Chinese label of the role)
_SECOND_FACTOR_DEFAULTS = {
    Role.Code.ADMIN: (True, "系统管理员"),
    Role.Code.AGENT: (False, "电话经理(10086)"),
    Role.Code.QUALITY: (False, "品管"),
    Role.Code.ANALYST: (False, "省公司分析员"),
    Role.Code.DEPT_MANAGER: (False, "集团部经理"),
    Role.Code.GROUP_LEADER: (False, "集团组组长"),
    Role.Code.ACCOUNT_MANAGER: (False, "客户经理"),
    Role.Code.MAINTENANCE_MANAGER: (False, "维护经理"),
}


# role code → its policy key, spelled out so a reader (and the CFG-1 usage check) finds each one
SECOND_FACTOR_KEYS = {
    Role.Code.ADMIN: "security.second_factor_admin",
    Role.Code.AGENT: "security.second_factor_agent",
    Role.Code.QUALITY: "security.second_factor_quality",
    Role.Code.ANALYST: "security.second_factor_analyst",
    Role.Code.DEPT_MANAGER: "security.second_factor_manager",
    Role.Code.GROUP_LEADER: "security.second_factor_leader",
    Role.Code.ACCOUNT_MANAGER: "security.second_factor_am",
    Role.Code.MAINTENANCE_MANAGER: "security.second_factor_mm",
}


REVEAL_LIMIT_KEY = "security.reveals_per_hour"


def _register(d: PolicyDef) -> None:
    if d.key not in REGISTRY:  # the app registry imports this once; a test re-import must not fail
        register(d)


for _code, (_default, _zh) in _SECOND_FACTOR_DEFAULTS.items():
    _label = Role.Code(_code).label
    _register(PolicyDef(
        SECOND_FACTOR_KEYS[_code], BOOL, _default, SECURITY,
        format_lazy(_("Second factor required: {role}"), role=_label), f"{_zh}须使用第二因素登录",
        _("Users holding this role must enter a code from an authenticator app (TOTP) after their "
          "password, and enrol one at their first login. Takes effect at their next login."),
        "持有该角色的用户在输入密码后还须输入身份验证器应用(TOTP)生成的动态码；首次登录时须先绑定。下次登录起生效。",
        spec="ORG-2, CFG-1",
    ))

_register(PolicyDef(
    REVEAL_LIMIT_KEY, INT, 30, SECURITY,
    _("Reveals of personal data per hour"), "每小时查看明文个人信息次数上限",
    _("How many times one user may reveal masked personal data (mobile, birthday, ID number) in "
      "an hour; beyond it the portal answers 429 until the hour has passed."),
    "同一用户每小时可查看被遮蔽个人信息（手机号、生日、证件号）明文的次数；超过后在一小时内拒绝(429)。",
    spec="ORG-4, CFG-1", min_value=1, max_value=10000,
))
