"""The browser harness: Playwright for Python driving Debian's Chromium against a live server."""
import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_am1_logs_in_and_reaches_home(people, login_page, live_server):
    page = login_page("am1")
    assert page.url.rstrip("/") == live_server.url
    assert page.locator("#panel-profile").is_visible()
    assert "欢迎" in page.content()
    page.screenshot(path="var/screenshots/home-am1.png", full_page=True)


def test_wrong_password_shows_error(people, login_page):
    page = login_page("am1", "wrong")
    assert "/accounts/login/" in page.url
    assert page.locator(".alert-danger, .invalid-feedback, .errorlist").count() > 0
