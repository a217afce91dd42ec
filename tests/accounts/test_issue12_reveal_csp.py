"""Issue 12 item 9: reveals of personal data are rate-limited per user (ORG-4, policy
security.reveals_per_hour, CFG-1), and pages carry a strict Content-Security-Policy (django-csp)."""
from __future__ import annotations

import re
from pathlib import Path

from django.urls import reverse

from portal.policy import override_policy

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def test_reveal_is_rate_limited_with_a_clear_429(book, people, client_for, api_for):
    """issue 12 item 9: beyond the policy's reveals per hour, the page and the API answer 429."""
    c1 = book["c1"]
    page = client_for(people["leader1"])
    api = api_for(people["leader1"])
    with override_policy({"security.reveals_per_hour": 3}):
        assert page.post(reverse("contact-reveal", args=[c1.pk])).status_code == 200
        assert api.post(f"/api/v1/contacts/{c1.pk}/reveal/").status_code == 200
        assert page.post(reverse("contact-reveal", args=[c1.pk])).status_code == 200
        r = page.post(reverse("contact-reveal", args=[c1.pk]))
        assert r.status_code == 429 and r.json()["message"] and r.json()["retry_after_minutes"] >= 1
        assert "mobile" not in r.json()
        r = api.post(f"/api/v1/contacts/{c1.pk}/reveal/")
        assert r.status_code == 429 and r.json()["message"] and "mobile" not in r.json()
        # another user has their own allowance
        assert client_for(people["manager1"]).post(reverse("contact-reveal", args=[c1.pk])).status_code == 200
    from portal.models import AuditEvent

    assert AuditEvent.objects.filter(action="reveal", username="leader1").count() == 3  # refused ones show nothing


def test_pages_send_a_strict_csp(client_for, people, book):
    """issue 12 item 9: the header is there, scripts only from us or with the page's nonce."""
    c = client_for(people["am1"])
    for url in ("/", reverse("login"), f"/groups/{book['g1'].pk}/"):
        r = c.get(url)
        csp = r["Content-Security-Policy"]
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
        script_src = re.search(r"script-src ([^;]+)", csp).group(1)
        assert script_src.startswith("'self'") and "'unsafe-inline'" not in script_src  # a nonce only when used
        assert "style-src 'self'" in csp and "'unsafe-inline'" not in csp


def test_templates_have_no_inline_script_style_or_handlers():
    """issue 12 item 9: under the CSP an inline <script>, style="" or on*="" would be dropped by the
    browser; every template keeps its code in static files (or nonces a script)."""
    bad = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text()
        for m in re.finditer(r"<script(?![^>]*\bsrc=)(?![^>]*nonce=)[^>]*>|\sstyle=\"|<style(?![^>]*nonce=)|\son[a-z]+=\"", text):
            bad.append(f"{path.relative_to(TEMPLATES)}: {m.group(0)}")
    assert not bad, bad


def test_api_docs_work_under_the_csp(client_for, people):
    """issue 12 item 9: Swagger UI's own script is a file (split view), not inline."""
    r = client_for(people["am1"]).get("/api/docs/")
    assert r.status_code == 200
    assert b"<script>" not in r.content
