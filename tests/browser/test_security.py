"""Issue 12 item 9 in Chromium: pages work under the Content-Security-Policy (no script, style or
image blocked), and an administrator enrols a TOTP authenticator at the first login."""
import base64

import pytest
from django_otp.oath import totp

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _csp_errors(page):
    errors = []
    page.on("console", lambda m: errors.append(m.text) if "Content Security Policy" in m.text else None)
    return errors


def test_reveal_and_bars_work_under_the_csp(people, book, login_page, live_server):
    """issue 12 item 9: the reveal button (static/js/reveal.js) works, nothing is blocked by the CSP."""
    page = login_page("leader1")
    errors = _csp_errors(page)
    page.goto(f"{live_server.url}/groups/{book['g1'].pk}/")
    page.click("button.reveal")
    page.locator(".pd-mobile", has_text="13812345678").first.wait_for(timeout=10000)
    page.goto(f"{live_server.url}/visits/")
    page.goto(f"{live_server.url}/api/docs/")
    page.wait_for_selector(".swagger-ui .info", timeout=15000)
    assert errors == []


def test_admin_enrols_an_authenticator_at_first_login(people, login_page, live_server):
    """issue 12 item 9: admin (second factor required by policy) is sent to enrolment, scans the
    QR code (a data: image the CSP allows) or types the key, and gets in with the code."""
    page = login_page("admin")
    errors = _csp_errors(page)
    assert "/accounts/two-factor/" in page.url
    assert page.evaluate("document.getElementById('otp-qr').naturalWidth") > 0
    key = base64.b32decode(page.inner_text("#otp-key").strip())
    page.fill("input[name=otp_token]", f"{totp(key):06d}")
    with page.expect_navigation():
        page.click("#otp-submit")
    assert page.url.rstrip("/") == live_server.url
    page.goto(f"{live_server.url}/admin/")
    assert "/two-factor/" not in page.url and page.locator("#site-name").count() == 1
    assert errors == []
