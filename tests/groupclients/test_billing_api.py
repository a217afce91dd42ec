"""Issue 6 API and pages: billing feed, real-time resume, alerts inbox, credit orders — all scoped."""
import datetime as dt
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

from groupclients.billing.models import BillingAccount, RetentionAlert, UsageMonth
from groupclients.billing.services import retention
from tests.factories import MemberFactory


def test_billing_feed_bulk_upsert_and_payment_resumes(book, people, api_for):
    MemberFactory(group=book["g1"], mobile="13600000201")
    admin = api_for(people["admin"])
    rows = {"accounts": [{"external_id": "ACC-1", "group": book["g1"].code, "kind": "postpaid", "amount_due": "88.50",
                          "due_date": (timezone.localdate() - dt.timedelta(days=2)).isoformat(),
                          "members": ["13600000201"]}]}
    r = admin.post("/api/v1/billing/accounts/bulk/", rows, format="json")
    assert r.status_code == 200 and r.json() == {"created": 1, "updated": 0}
    assert admin.post("/api/v1/billing/accounts/bulk/", rows, format="json").json() == {"created": 0, "updated": 1}
    bad = admin.post("/api/v1/billing/accounts/bulk/", {"accounts": [
        {"external_id": "ACC-2", "kind": "postpaid"}, {"external_id": "ACC-3", "kind": "postpaid", "group": "NOPE"}]},
        format="json")
    assert bad.status_code == 400 and [e["row"] for e in bad.json()["errors"]] == [2]
    assert not BillingAccount.objects.filter(external_id="ACC-2").exists()  # all or nothing
    from portal.jobruns import run_job

    run_job("credit_control")
    acc = BillingAccount.objects.get(external_id="ACC-1")
    assert acc.status == "half_suspended"
    r = admin.post("/api/v1/billing/payments/", {"account": "ACC-1", "amount": "88.50", "external_id": "PAY-9"},
                   format="json")
    assert r.status_code == 201 and r.json()["status"] == "active" and r.json()["balance"] == "0.00"
    r = admin.post("/api/v1/billing/payments/", {"account": "ACC-1", "amount": "88.50", "external_id": "PAY-9"},
                   format="json")
    assert r.status_code == 200  # idempotent: same payment id, not applied twice
    assert api_for(people["am1"]).post("/api/v1/billing/payments/", {"account": "ACC-1", "amount": "1"},
                                       format="json").status_code == 403
    orders = api_for(people["am1"]).get("/api/v1/credit/orders/").json()["results"]
    assert [o["action"] for o in orders] == ["resume", "half_suspend"]
    assert api_for(people["am2"]).get("/api/v1/credit/orders/").json()["count"] == 0
    assert api_for(people["agent1"]).get("/api/v1/billing/accounts/").json()["count"] == 0  # no financial data


def test_usage_feed_and_alert_inbox_flow(book, people, api_for, client_for):
    """Done-when: am1 sees a level-1 alert for a VIP whose revenue fell, acts, closes it as retained."""
    MemberFactory(group=book["g1"], mobile="13600000301", vip_tier="gold", name="VIP成员")
    admin = api_for(people["admin"])
    usage = [{"mobile": "13600000301", "month": m, "revenue": "200", "minutes": 500, "outgoing_calls": 80,
              "data_mb": 5000} for m in ("2026-07", "2026-08", "2026-09")]
    usage.append({"mobile": "13600000301", "month": "2026-10", "revenue": "90", "minutes": 480, "outgoing_calls": 70,
                  "data_mb": 4800})
    assert admin.post("/api/v1/usage/", {"usage": usage}, format="json").json() == {"upserted": 4}
    assert admin.post("/api/v1/usage/", {"usage": usage}, format="json").json() == {"upserted": 4}
    assert UsageMonth.objects.count() == 4
    retention.retention_scan_members(month=dt.date(2026, 10, 1))
    am = api_for(people["am1"])
    inbox = am.get("/api/v1/alerts/").json()["results"]
    assert [(a["type"], a["level"]) for a in inbox] == [("arpu_drop", 1)]
    alert_id = inbox[0]["id"]
    page = client_for(people["am1"]).get(reverse("alert-detail", args=[alert_id])).content.decode()
    assert 'id="confidentiality"' in page and "55.0" in page
    r = am.post(f"/api/v1/alerts/{alert_id}/act/", {"kind": "visit", "note": "上门了解，出差导致"}, format="json")
    assert r.json()["status"] == "in_progress"
    r = am.post(f"/api/v1/alerts/{alert_id}/close/", {"status": "retained", "outcome": "保留"}, format="json")
    assert r.json()["status"] == "retained"
    assert am.post(f"/api/v1/alerts/{alert_id}/close/", {"status": "lost", "outcome": "x"},
                   format="json").status_code == 409
    assert api_for(people["am2"]).get(f"/api/v1/alerts/{alert_id}/").status_code == 404
    # manager1 sees the retention figures for the branch
    r = client_for(people["manager1"]).get(reverse("alert-inbox"))
    rows = list(r.context["by_am"])
    assert rows[0]["assigned_am__username"] == "am1" and rows[0]["retained"] == 1
    assert client_for(people["manager2"]).get(reverse("alert-inbox")).context["page"].paginator.count == 0
    assert client_for(people["agent1"]).get(reverse("alert-inbox")).status_code == 403
    detail = client_for(people["am1"]).get(reverse("group-detail", args=[book["g1"].pk])).content.decode()
    assert 'id="panel-signals"' in detail


def test_account_page_emergency_resume(book, people, client_for):
    from tests.factories import ContactFactory

    c = ContactFactory(group=book["g1"], mobile="13600000401")
    a = BillingAccount.objects.create(external_id="KP-1", group=book["g1"], kind="postpaid", status="suspended",
                                      amount_due=Decimal("50"))
    MemberFactory(group=book["g1"], account=a, contact=c)
    page = client_for(people["am1"]).get(reverse("account-detail", args=[a.pk])).content.decode()
    assert "Emergency resume" in page or "紧急复机" in page
    client_for(people["am1"]).post(reverse("account-action", args=[a.pk, "emergency-resume"]), {"reason": "丢手机"})
    a.refresh_from_db()
    assert a.status == "active" and a.grace_until
    assert client_for(people["am2"]).get(reverse("account-detail", args=[a.pk])).status_code == 404
    assert RetentionAlert.objects.count() == 0
