"""Policy values (SPEC CFG-1): typed defaults, validated overrides, audit, admin page, test helper."""
from __future__ import annotations

import logging
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from portal import policy as registry
from portal.models import AuditEvent, PolicyValue
from portal.policy import override_policy, policies, policy, policy_reset, policy_set

# The SPEC's "default" numbers, written out independently of the registry so a changed default fails here.
EXPECTED_DEFAULTS = {
    "survey.reply_window_hours": 72,  # SAT-2
    "survey.repair_deadline_workdays": 2,  # SAT-3
    "ticket.phone_participation_revisit_days": 2,  # TKT-5
    "complaint.consultation_answer_hours": 24,  # CMP-1
    "complaint.on_the_spot_hours": 1,  # CMP-2
    "complaint.answer_hours": 24,
    "complaint.answer_max_hours": 72,
    "retention.arpu_drop_percent": Decimal("30"),  # RET-2
    "retention.mou_drop_percent": Decimal("30"),
    "retention.data_drop_percent": Decimal("50"),
    "retention.forwarding_days": 3,
    "retention.competitor_hotline_call_seconds": 60,
    "retention.group_retention_rate_percent": Decimal("95"),
    "retention.group_revenue_drop_percent": Decimal("20"),
    "retention.alert_due_workdays_level1": 3,  # RET-3
    "retention.alert_due_workdays_level2": 7,
    "retention.contract_expiry_reminder_days": 90,  # GC-4
    "credit.reminder_days_before_due": 3,  # CC-4
    "credit.half_suspension_hours": 24,
    "credit.disconnect_after_suspended_days": 90,  # CC-2/3
    "credit.emergency_resume_grace_days": 7,  # CC-5
    "vip.designated_diamond_quota_percent": Decimal("10"),  # CT-5
    "vip.designated_gold_quota_percent": Decimal("20"),
    "penalty.missed_repair_person_points": 5,  # PEN-1 (handbook silent: our default)
    "penalty.missed_repair_branch_points": 5,
    "penalty.am_absent_joint_visit_points": 2,
    "penalty.mm_not_notified_am_yuan": Decimal("200"),
    "penalty.wrong_record_entry_yuan": Decimal("50"),
    "penalty.unrecorded_escalated_complaint_points": 20,
}


# ---- registry and defaults ------------------------------------------------------------------


def test_every_spec_default_is_registered_with_its_value_and_type(db):
    assert {k: registry.REGISTRY[k].default for k in EXPECTED_DEFAULTS} == EXPECTED_DEFAULTS
    values = policies(*EXPECTED_DEFAULTS)
    assert values == EXPECTED_DEFAULTS
    for key, expected in EXPECTED_DEFAULTS.items():
        assert type(values[key]) is type(expected), key
        assert policy(key) == expected


def test_every_key_has_a_heading_bilingual_help_and_a_valid_default():
    groups = {code for code in (g.code for g in registry.GROUPS)}
    for d in registry.REGISTRY.values():
        assert d.group.code in groups
        prefixes = {"survey", "visit", "ticket", "complaint", "retention", "credit", "vip", "penalty", "kpi", "sms"}
        assert d.key.split(".")[0] in prefixes, d.key
        assert str(d.label) and d.label_zh and str(d.help_text) and d.help_zh, d.key
        # the Chinese help really is Chinese
        assert any("\u4e00" <= ch <= "\u9fff" for ch in d.help_zh), d.key
        assert d.clean(d.default) == d.default
        if d.kind in (registry.HOURS, registry.DAYS, registry.WORKDAYS, registry.SECONDS, registry.POINTS):
            assert d.lower is not None and d.lower >= 0, d.key
        if d.kind is registry.PERCENT:
            assert d.lower >= 0 and d.upper <= 100, d.key


def test_unknown_key_is_a_clear_key_error(db):
    with pytest.raises(KeyError, match=r"Unknown policy key 'survey\.reply_window_hour'.*"
                                       r"survey\.reply_window_hours"):
        policy("survey.reply_window_hour")
    with pytest.raises(KeyError, match="no.such"):
        policies("survey.reply_window_hours", "no.such")
    with pytest.raises(KeyError):
        policy_set(key="no.such", value=1)


def test_register_refuses_bad_declarations():
    good = registry.REGISTRY["survey.reply_window_hours"]
    from dataclasses import replace

    with pytest.raises(ValueError, match="registered twice"):
        registry.register(good)
    with pytest.raises(ValueError, match="dotted"):
        registry.register(replace(good, key="NoDots"))
    with pytest.raises(ValueError, match="invalid"):
        registry.register(replace(good, key="survey.test_negative_days", kind=registry.DAYS, default=-1))
    with pytest.raises(ValueError, match="invalid"):
        registry.register(replace(good, key="vip.test_quota_percent", kind=registry.PERCENT,
                                  default=Decimal("101"), min_value=None, max_value=None))
    assert "survey.test_negative_days" not in registry.REGISTRY


# ---- validation -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("credit.disconnect_after_suspended_days", -1),  # no negative days
        ("credit.reminder_days_before_due", "-3"),
        ("survey.repair_deadline_workdays", 0),  # below the key's minimum of 1
        ("survey.reply_window_hours", "abc"),
        ("survey.reply_window_hours", 1.5),  # hours are whole numbers
        ("vip.designated_gold_quota_percent", 101),  # percentages 0..100
        ("retention.arpu_drop_percent", "-0.5"),
        ("penalty.wrong_record_entry_yuan", "12.345"),  # money has two decimals
        ("penalty.am_absent_joint_visit_points", -2),  # points are stored as the positive deduction
    ],
)
def test_invalid_values_are_refused_and_nothing_is_written(db, people, key, value):
    with pytest.raises(ValidationError):
        policy_set(key=key, value=value, by=people["admin"])
    assert not PolicyValue.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.POLICY_CHANGED).exists()
    assert policy(key) == EXPECTED_DEFAULTS[key]


def test_kinds_convert_form_strings_and_python_values():
    d = registry.REGISTRY["vip.designated_gold_quota_percent"]
    assert d.clean("12.5") == Decimal("12.5") and d.to_json(Decimal("12.50")) == "12.5"
    assert d.clean(100) == Decimal("100") and d.to_json(Decimal("100.00")) == "100"
    assert registry.REGISTRY["survey.reply_window_hours"].clean("48") == 48
    flag = registry.PolicyDef("survey.test_flag", registry.BOOL, False, registry.VISITS, "x", "试", "x", "试")
    assert flag.clean("false") is False and flag.clean("True") is True and flag.clean(True) is True
    with pytest.raises(ValidationError):
        flag.clean("maybe")  # a typo must not switch a rule on
    text = registry.PolicyDef("survey.test_text", registry.STR, "a", registry.VISITS, "x", "试", "x", "试",
                              choices=(("a", "A"), ("b", "B")))
    assert text.clean("b") == "b"
    with pytest.raises(ValidationError):
        text.clean("c")


# ---- setting, resetting, audit --------------------------------------------------------------


def test_policy_set_overrides_and_audits_who_old_and_new(db, people):
    admin = people["admin"]
    assert policy_set(key="survey.reply_window_hours", value="48", by=admin) == 48
    assert policy("survey.reply_window_hours") == 48
    row = PolicyValue.objects.get(key="survey.reply_window_hours")
    assert row.value == 48 and row.updated_by == admin and row.updated_at is not None

    policy_set(key="vip.designated_gold_quota_percent", value=Decimal("12.50"), by=admin)
    assert policy("vip.designated_gold_quota_percent") == Decimal("12.5")
    assert PolicyValue.objects.get(key="vip.designated_gold_quota_percent").value == "12.5"

    events = list(AuditEvent.objects.filter(action=AuditEvent.Action.POLICY_CHANGED).order_by("id"))
    assert [(e.actor, e.target_type, e.target_id, e.detail) for e in events] == [
        (admin, "policy", "survey.reply_window_hours",
         {"key": "survey.reply_window_hours", "old": 72, "new": 48}),
        (admin, "policy", "vip.designated_gold_quota_percent",
         {"key": "vip.designated_gold_quota_percent", "old": "20", "new": "12.5"}),
    ]


def test_setting_the_same_value_again_logs_nothing(db, people):
    policy_set(key="credit.half_suspension_hours", value=12, by=people["admin"])
    policy_set(key="credit.half_suspension_hours", value="12", by=people["admin"])
    assert AuditEvent.objects.filter(action=AuditEvent.Action.POLICY_CHANGED).count() == 1


def test_default_value_or_reset_removes_the_override(db, people):
    admin = people["admin"]
    policy_set(key="credit.emergency_resume_grace_days", value=10, by=admin)
    policy_set(key="credit.emergency_resume_grace_days", value=7, by=admin)  # the default
    assert not PolicyValue.objects.filter(key="credit.emergency_resume_grace_days").exists()

    policy_set(key="credit.emergency_resume_grace_days", value=14, by=admin)
    assert policy_reset(key="credit.emergency_resume_grace_days", by=admin) == 7
    assert policy("credit.emergency_resume_grace_days") == 7
    assert not PolicyValue.objects.exists()
    details = [e.detail for e in AuditEvent.objects.filter(action=AuditEvent.Action.POLICY_CHANGED)
               .order_by("id")]
    assert [(d["old"], d["new"]) for d in details] == [(7, 10), (10, 7), (7, 14), (14, 7)]


def test_a_change_made_elsewhere_is_read_at_once(db, people):
    """No per-process copy: a row written elsewhere (here: a bare UPDATE) is seen by the next read."""
    policy_set(key="retention.forwarding_days", value=5, by=people["admin"])
    assert policy("retention.forwarding_days") == 5
    PolicyValue.objects.filter(key="retention.forwarding_days").update(value=9)
    assert policy("retention.forwarding_days") == 9
    PolicyValue.objects.filter(key="retention.forwarding_days").delete()
    assert policy("retention.forwarding_days") == 3


def test_a_stored_value_that_no_longer_validates_falls_back_to_the_default(db, caplog):
    PolicyValue.objects.create(key="credit.disconnect_after_suspended_days", value=-5)
    with caplog.at_level(logging.ERROR, logger="portal.policy"):
        assert policy("credit.disconnect_after_suspended_days") == 90
    assert "credit.disconnect_after_suspended_days" in caplog.text and "invalid" in caplog.text


# ---- the test helper ------------------------------------------------------------------------


def test_override_policy_sets_values_and_puts_the_previous_state_back(db, people):
    policy_set(key="complaint.answer_hours", value=12, by=people["admin"])
    with override_policy({"survey.reply_window_hours": 24}, complaint__answer_hours=6):
        assert policy("survey.reply_window_hours") == 24
        assert policy("complaint.answer_hours") == 6
    assert policy("survey.reply_window_hours") == 72
    assert policy("complaint.answer_hours") == 12
    assert not PolicyValue.objects.filter(key="survey.reply_window_hours").exists()

    with pytest.raises(ValidationError):
        with override_policy(vip__designated_diamond_quota_percent=150):
            pass
    assert policy("vip.designated_diamond_quota_percent") == Decimal("10")


# ---- the admin page -------------------------------------------------------------------------


LIST_URL = "/admin/portal/policyvalue/"


def test_admin_lists_every_key_under_its_heading_with_default_and_current(db, people, client_for):
    policy_set(key="retention.mou_drop_percent", value=25, by=people["admin"])
    r = client_for(people["admin"]).get(LIST_URL, HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 200
    html = r.content.decode()
    for key in registry.REGISTRY:
        assert f'id="{key}"' in html, key
    # headings in order, each with its Chinese title, each key inside its own heading's block
    positions = [html.index(f'id="group-{g.code}"') for g in registry.GROUPS]
    assert positions == sorted(positions)
    for g in registry.GROUPS:
        assert str(g.title) in html and g.title_zh in html
    for key, d in registry.REGISTRY.items():
        start = html.index(f'id="group-{d.group.code}"')
        later = [p for p in positions if p > start]
        assert start < html.index(f'id="{key}"') < (later[0] if later else len(html)), key
    # the overridden row shows the new value in bold and the default beside it
    row = html[html.index('id="retention.mou_drop_percent"'):]
    row = row[: row.index("</tr>")]
    assert "<strong>25 %</strong>" in row and '<td class="policy-default">30 %</td>' in row
    assert str(people["admin"]) in row  # who changed it
    untouched = html[html.index('id="survey.reply_window_hours"'):]
    untouched = untouched[: untouched.index("</tr>")]
    assert '<td class="policy-current">72 hours</td>' in untouched


def test_admin_edit_saves_through_the_service_with_audit(db, people, client_for):
    c = client_for(people["admin"])
    url = reverse("admin:portal_policyvalue_edit", args=["survey.repair_deadline_workdays"])
    assert c.get(url).status_code == 200
    r = c.post(url, {"value": "3", "_save": "1"})
    assert r.status_code == 302 and r.url.endswith("#survey.repair_deadline_workdays")
    assert policy("survey.repair_deadline_workdays") == 3
    ev = AuditEvent.objects.get(action=AuditEvent.Action.POLICY_CHANGED)
    assert ev.actor == people["admin"]
    assert ev.detail == {"key": "survey.repair_deadline_workdays", "old": 2, "new": 3}
    assert ev.ip == "127.0.0.1"


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("credit.disconnect_after_suspended_days", "-1", "Ensure this value is greater than or equal to 1."),
        ("credit.reminder_days_before_due", "-1", "Ensure this value is greater than or equal to 0."),
        ("vip.designated_diamond_quota_percent", "101", "Ensure this value is less than or equal to 100."),
    ],
)
def test_admin_edit_refuses_invalid_values_with_the_message(db, people, client_for, key, value, message):
    c = client_for(people["admin"])
    r = c.post(reverse("admin:portal_policyvalue_edit", args=[key]), {"value": value},
               HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 200
    assert r.context["form"].errors["value"] == [message]
    assert message in r.content.decode()
    assert not PolicyValue.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.POLICY_CHANGED).exists()


def test_admin_reset_button(db, people, client_for):
    policy_set(key="penalty.wrong_record_entry_yuan", value="80", by=people["admin"])
    c = client_for(people["admin"])
    url = reverse("admin:portal_policyvalue_edit", args=["penalty.wrong_record_entry_yuan"])
    assert "_reset" in c.get(url).content.decode()
    r = c.post(url, {"_reset": "1"})
    assert r.status_code == 302
    assert policy("penalty.wrong_record_entry_yuan") == Decimal("50")
    last = AuditEvent.objects.filter(action=AuditEvent.Action.POLICY_CHANGED).latest("id")
    assert (last.detail["old"], last.detail["new"]) == ("80", "50")


def test_admin_policy_pages_are_for_administrators_only(db, people, client_for):
    edit = reverse("admin:portal_policyvalue_edit", args=["survey.reply_window_hours"])
    for who in ("manager1", "analyst1"):
        c = client_for(people[who])
        assert c.get(LIST_URL).status_code == 302
        assert c.post(edit, {"value": "1"}).status_code == 302
    assert policy("survey.reply_window_hours") == 72
    assert client_for(people["admin"]).get(
        reverse("admin:portal_policyvalue_edit", args=["no.such"])
    ).status_code == 404
