"""The SLA table in the admin site (SPEC TKT-8, CFG-1): validated, audit-logged, in force at once."""
import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from portal.exceptions import ApplicationError
from portal.models import AuditEvent
from tickets.models import SlaRule
from tickets.services import sla_rule_delete, sla_rule_save

CHANGELIST = "/admin/tickets/slarule/"


def _default(severity: str) -> SlaRule:
    return SlaRule.objects.get(product=None, severity=severity)


def _form(rule: SlaRule, **targets) -> dict:
    data = {"acknowledge_minutes": rule.acknowledge_minutes, "on_site_minutes": rule.on_site_minutes or "",
            "restore_minutes": rule.restore_minutes, "_save": "Save"}
    data.update(targets)
    return data


def _policy_events():
    return AuditEvent.objects.filter(action=AuditEvent.Action.POLICY_CHANGED, target_type="tickets.slarule")


def test_the_seeded_defaults_are_listed(db, people, client_for):
    r = client_for(people["admin"]).get(CHANGELIST, HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 200
    assert r.context["cl"].result_count == 3
    assert "any product (default)" in r.content.decode()


def test_admin_edit_is_audited_and_the_next_ticket_uses_it(desk, people, client_for, open_ticket):
    before = open_ticket(severity="critical")
    assert before.acknowledge_due - before.dispatched_at == dt.timedelta(minutes=15)

    rule = _default("critical")
    change = reverse("admin:tickets_slarule_change", args=[rule.pk])
    admin = client_for(people["admin"])
    assert admin.get(change).status_code == 200
    r = admin.post(change, _form(rule, acknowledge_minutes=10, restore_minutes=180))
    assert r.status_code == 302, r.context["adminform"].form.errors if r.context else r

    rule.refresh_from_db()
    assert (rule.acknowledge_minutes, rule.on_site_minutes, rule.restore_minutes) == (10, 120, 180)
    event = _policy_events().get()
    assert event.actor == people["admin"] and event.target_id == str(rule.pk)
    assert event.detail["key"] == "tickets.sla.default.critical"
    assert event.detail["old"] == {"acknowledge_minutes": 15, "on_site_minutes": 120, "restore_minutes": 240}
    assert event.detail["new"] == {"acknowledge_minutes": 10, "on_site_minutes": 120, "restore_minutes": 180}

    # no restart, no cache: the next ticket dispatched gets the new targets...
    after = open_ticket(severity="critical")
    assert after.acknowledge_due - after.dispatched_at == dt.timedelta(minutes=10)
    assert after.restore_due - after.dispatched_at == dt.timedelta(minutes=180)
    # ...while the clock already running keeps the deadlines it was given
    before.refresh_from_db()
    assert before.acknowledge_due - before.dispatched_at == dt.timedelta(minutes=15)


def test_saving_unchanged_targets_logs_nothing(db, people, client_for):
    rule = _default("major")
    r = client_for(people["admin"]).post(reverse("admin:tickets_slarule_change", args=[rule.pk]), _form(rule))
    assert r.status_code == 302
    assert not _policy_events().exists()


@pytest.mark.parametrize(
    ("targets", "field", "message"),
    [
        ({"acknowledge_minutes": -5}, "acknowledge_minutes", "Ensure this value is greater than or equal to 0."),
        ({"acknowledge_minutes": 0}, "acknowledge_minutes", "A target of zero minutes cannot be met"),
        ({"restore_minutes": 0}, "restore_minutes", "A target of zero minutes cannot be met"),
        ({"on_site_minutes": 0}, "on_site_minutes", "A target of zero minutes cannot be met"),
        ({"restore_minutes": 60 * 24 * 31}, "restore_minutes", "At most 43200 minutes"),
        ({"on_site_minutes": 10}, "on_site_minutes",
         "The on site target (10 min) cannot be shorter than the acknowledge target (15 min)."),
        ({"restore_minutes": 100}, "restore_minutes",
         "The restore target (100 min) cannot be shorter than the on site target (120 min)."),
        ({"restore_minutes": ""}, "restore_minutes", "This field is required."),
    ],
)
def test_invalid_targets_are_refused_with_a_message_and_nothing_changes(
    db, people, client_for, targets, field, message
):
    rule = _default("critical")
    r = client_for(people["admin"]).post(reverse("admin:tickets_slarule_change", args=[rule.pk]),
                                         _form(rule, **targets), HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 200
    errors = r.context["adminform"].form.errors
    assert any(message in e for e in errors[field]), errors
    assert message.replace("'", "&#x27;") in r.content.decode()
    rule_after = _default("critical")
    assert (rule_after.acknowledge_minutes, rule_after.on_site_minutes, rule_after.restore_minutes) == (15, 120, 240)
    assert not _policy_events().exists()


def test_next_working_day_on_site_only_checks_acknowledge_before_restore(db, people, client_for):
    rule = _default("minor")  # on site: empty = end of the next working day
    url = reverse("admin:tickets_slarule_change", args=[rule.pk])
    admin = client_for(people["admin"])
    r = admin.post(url, _form(rule, restore_minutes=60), HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 200
    assert "cannot be shorter than the acknowledge target (120 min)" in r.context["adminform"].form.errors[
        "restore_minutes"][0]
    assert admin.post(url, _form(rule, restore_minutes=600)).status_code == 302
    assert _default("minor").restore_minutes == 600


def test_list_edit_goes_through_the_service(db, people, client_for):
    rows = list(SlaRule.objects.order_by("pk"))
    data = {"form-TOTAL_FORMS": len(rows), "form-INITIAL_FORMS": len(rows), "_save": "Save"}
    for i, row in enumerate(rows):
        data.update({f"form-{i}-id": row.pk, f"form-{i}-acknowledge_minutes": row.acknowledge_minutes,
                     f"form-{i}-on_site_minutes": row.on_site_minutes or "",
                     f"form-{i}-restore_minutes": row.restore_minutes})
    i = next(i for i, row in enumerate(rows) if row.severity == "major")
    data[f"form-{i}-acknowledge_minutes"] = 20
    r = client_for(people["admin"]).post(CHANGELIST, data)
    assert r.status_code == 302
    assert _default("major").acknowledge_minutes == 20
    assert _policy_events().get().detail["key"] == "tickets.sla.default.major"


def test_a_product_row_is_added_and_deleted_with_audit(desk, people, client_for, open_ticket):
    admin = client_for(people["admin"])
    product = desk["product"]
    r = admin.post(reverse("admin:tickets_slarule_add"), {
        "product": product.pk, "severity": "major", "acknowledge_minutes": 5, "on_site_minutes": 60,
        "restore_minutes": 120, "_save": "Save"})
    assert r.status_code == 302
    rule = SlaRule.objects.get(product=product, severity="major")
    added = _policy_events().get()
    assert added.detail["key"] == "tickets.sla.internet_line.major" and added.detail["old"] is None
    t = open_ticket(severity="major")
    assert t.on_site_due - t.dispatched_at == dt.timedelta(minutes=60)

    # a second row for the same product and severity is refused
    r = admin.post(reverse("admin:tickets_slarule_add"), {
        "product": product.pk, "severity": "major", "acknowledge_minutes": 5, "on_site_minutes": 60,
        "restore_minutes": 120, "_save": "Save"})
    assert r.status_code == 200 and SlaRule.objects.filter(product=product).count() == 1

    r = admin.post(reverse("admin:tickets_slarule_delete", args=[rule.pk]), {"post": "yes"})
    assert r.status_code == 302
    assert not SlaRule.objects.filter(pk=rule.pk).exists()
    deleted = _policy_events().latest("id")
    assert deleted.detail["new"] is None and deleted.detail["old"]["acknowledge_minutes"] == 5
    t = open_ticket(severity="major")  # back to the default row
    assert t.on_site_due - t.dispatched_at == dt.timedelta(minutes=240)


def test_a_default_row_cannot_be_deleted(db, people, client_for):
    rule = _default("critical")
    r = client_for(people["admin"]).post(reverse("admin:tickets_slarule_delete", args=[rule.pk]), {"post": "yes"})
    assert r.status_code == 403
    with pytest.raises(ApplicationError):
        sla_rule_delete(rule=rule, by=people["admin"])
    assert SlaRule.objects.filter(pk=rule.pk).exists()
    assert not _policy_events().exists()


def test_the_service_validates_without_the_admin(db, people):
    rule = _default("major")
    rule.on_site_minutes = 10  # before the 30-minute acknowledge target
    with pytest.raises(ValidationError) as exc:
        sla_rule_save(rule=rule, by=people["admin"])
    assert "on_site_minutes" in exc.value.message_dict
    assert _default("major").on_site_minutes == 240
    assert not _policy_events().exists()


def test_only_administrators_reach_the_sla_table(db, people, client_for):
    rule = _default("critical")
    change = reverse("admin:tickets_slarule_change", args=[rule.pk])
    for who in ("manager1", "am1", "analyst1"):
        c = client_for(people[who])
        assert c.get(CHANGELIST).status_code == 302  # to the admin login
        r = c.post(change, _form(rule, acknowledge_minutes=1))
        assert r.status_code == 302 and "/admin/login/" in r["Location"]
    assert _default("critical").acknowledge_minutes == 15
    assert not _policy_events().exists()
