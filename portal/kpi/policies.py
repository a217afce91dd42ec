"""The KPI app's policy keys (SPEC CFG-1): the monthly targets an AM's scorecard is measured
against (KPI-1), and how fresh an open month's figures must be.

The handbooks set no percentages, so the defaults are the portal's: every visit and repair on time,
and high bars for the rest. Administrators change them under "KPIs and assessment targets" in the admin
site's policy values; the monthly close copies the values in force into the closed month, so a
past scorecard keeps the yardstick it was assessed with.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from portal.policy import GROUPS, PERCENT, REGISTRY, SECONDS, PolicyDef, PolicyGroup, policies, register

# A heading of its own on the policy page. portal.policy lets apps declare keys at import time;
# its list of headings is the same registry idea, so we add ours to it rather than borrow
# "Penalties", which is about deductions, not goals.
TARGETS = next((g for g in GROUPS if g.code == "kpi"), None)
if TARGETS is None:
    TARGETS = PolicyGroup("kpi", _("KPIs and assessment targets"), "考核指标与目标")
    GROUPS.append(TARGETS)

# rank metric → policy key (the scorecard shows each figure against its target)
TARGET_KEYS = {
    "visit_rate": "kpi.target_visit_compliance_percent",
    "satisfied_rate": "kpi.target_survey_satisfied_percent",
    "repairs_rate": "kpi.target_repairs_on_time_percent",
    "joint_rate": "kpi.target_joint_visit_percent",
    "sla_rate": "kpi.target_sla_met_percent",
    "complaints_rate": "kpi.target_complaints_in_time_percent",
}


def _target(key: str, default: str, label, label_zh: str, help_text, help_zh: str, spec: str) -> None:
    if key in REGISTRY:  # the app registry imports this once; a test re-import must not fail
        return
    register(PolicyDef(key, PERCENT, Decimal(default), TARGETS, label, label_zh, help_text, help_zh, spec=spec))


_target(
    "kpi.target_visit_compliance_percent",
    "100",
    _("Visit compliance target"),
    "走访达标率目标",
    _("Share of visit obligations (groups and contacts) done in their period, per AM and month."),
    "客户经理每月应完成走访（集团及联系人）中按期完成的比例目标。",
    "VIS-1, KPI-1",
)
_target(
    "kpi.target_survey_satisfied_percent",
    "90",
    _("Satisfaction target"),
    "满意率目标",
    _("Share of answered satisfaction surveys with 'very satisfied' or 'good'."),
    "已回复的满意度调查中“非常满意”或“较好”的比例目标。",
    "SAT-2, KPI-1",
)
_target(
    "kpi.target_repairs_on_time_percent",
    "100",
    _("Satisfaction repairs on time target"),
    "满意修复及时率目标",
    _("Share of satisfaction-repair cases due in the month that were repaired by their deadline."),
    "当月到期的满意修复中按时完成的比例目标。",
    "SAT-3, KPI-1",
)
_target(
    "kpi.target_joint_visit_percent",
    "100",
    _("Joint fault visit target"),
    "故障联合上门率目标",
    _("Share of class A/B fault tickets where the AM (or a substitute) went on site with the MM."),
    "A/B类集团故障工单中客户经理（或替代人员）与维护经理共同上门的比例目标。",
    "TKT-5, KPI-1",
)
_target(
    "kpi.target_sla_met_percent",
    "95",
    _("SLA target"),
    "故障处理时限达标率目标",
    _("Share of fault tickets restored in the month without any SLA breach."),
    "当月修复的故障工单中未超任何处理时限的比例目标。",
    "TKT-8, KPI-1",
)
_target(
    "kpi.target_complaints_in_time_percent",
    "100",
    _("Complaints answered in time target"),
    "投诉及时答复率目标",
    _("Share of complaints answered within the answer time."),
    "投诉在答复时限内答复的比例目标。",
    "CMP-2, KPI-1",
)


if "kpi.live_refresh_seconds" not in REGISTRY:  # the app registry imports this once; tests may again
    register(
        PolicyDef(
            "kpi.live_refresh_seconds", SECONDS, 900, TARGETS,
            _("Open month: figures recounted after"), "未结账月份：指标重算间隔",
            _("The figures of a month that is not closed (the current month) are counted for the whole province "
              "by a job every 5 minutes and on 'recount now'; a page shows them while they are at most this many "
              "seconds old, and recounts them itself when they are older. 0 = count on every page view (slow "
              "with a large portfolio)."),
            "未结账月份（当月）的指标由后台任务每5分钟统计全省一次，也可在看板上点“立即重算”；"
            "不超过该秒数的统计结果直接显示，超过则打开页面时重新统计。0表示每次打开页面都重新统计（客户量大时较慢）。",
            spec="KPI-1", min_value=0, max_value=86400,
        )
    )


def current_targets() -> dict[str, float]:
    """{rank metric: target %} as in force now (one query)."""
    values = policies(*TARGET_KEYS.values())
    return {metric: float(values[key]) for metric, key in TARGET_KEYS.items()}
