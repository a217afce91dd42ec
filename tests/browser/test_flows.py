"""Browser flows the issues' "done when" paragraphs describe, in Debian's Chromium."""
import pytest

from tests.conftest import wait_for
from tests.sms.conftest import kannel, sms_outbox  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_am1_finds_a_group_and_fixes_a_core_field(people, org, login_page, live_server):
    from groupclients.services import group_create

    g = group_create(by=people["am1"], name="之江实验室", unit=org["u11"], account_manager=people["am1"])
    page = login_page("am1")
    page.goto(f"{live_server.url}/groups/?q=zhijiang")
    page.click("text=之江实验室")
    assert page.locator("#missing-core").is_visible()
    page.click("#edit-group")
    page.fill("input[name=address]", "杭州市余杭区文一西路")
    with page.expect_navigation():
        page.click("input[type=submit]")
    assert "杭州市余杭区文一西路" in page.content()
    g.refresh_from_db()
    assert g.address == "杭州市余杭区文一西路"
    page.screenshot(path="var/screenshots/group-file.png", full_page=True)


def test_am1_logs_a_visit_and_the_reply_reaches_manager1(people, book, kannel, login_page, live_server):  # noqa: F811
    """Issue 4 done-when: the visit in the browser → survey at fakesmsc → 很差 → repair case on manager1's page."""
    from tests.factories import ContactFactory
    from visits.models import RepairCase

    contact = ContactFactory(group=book["g1"], name="王联系", type="contact", is_primary=True, mobile="13900000011")
    page = login_page("am1")
    page.goto(f"{live_server.url}/visits/new/{book['g1'].pk}/")
    page.locator(f"input[name=contacts][value='{contact.pk}']").check()
    page.check("input[name=purposes][value='relationship']")
    page.fill("textarea[name=notes]", "季度回访")
    import datetime as dt

    from django.utils import timezone

    # the next visit within the year the form allows (issue 12 item 10)
    page.fill("input[name=next_visit_on]", (timezone.localdate() + dt.timedelta(days=30)).isoformat())
    with page.expect_navigation():
        page.click("input[type=submit]")
    assert page.locator("#visit-surveys").is_visible()
    got = kannel.wait_received(1, timeout=20)
    assert any(m.receiver.endswith("13900000011") for m in got)
    kannel.send_mo("13900000011", "10086", "很差")
    assert wait_for(lambda: RepairCase.objects.exists())
    case = RepairCase.objects.get()
    page.click("#usermenu")
    page.click("#logout")
    page = login_page("manager1")
    assert page.locator("#panel-repairs").is_visible()
    assert book["g1"].name in page.locator("#panel-repairs").inner_text()
    page.goto(f"{live_server.url}/visits/repairs/")
    assert case.due_at.astimezone().strftime("%Y") in page.locator("#repair-cases").inner_text()
    page.screenshot(path="var/screenshots/repairs-manager1.png", full_page=True)


def test_agent_opens_a_ticket_and_mm_acknowledges(people, book, login_page, live_server):
    from tickets.models import Ticket

    page = login_page("agent1")
    page.goto(f"{live_server.url}/tickets/new/?q=娃哈哈")
    page.click(f"a[href='/tickets/new/{book['g1'].pk}/']")
    site = book["g1"].sites.get(name="滨江分部")
    page.select_option("select[name=site]", str(site.pk))
    from groupclients.models import Product

    page.select_option("select[name=product]", str(Product.objects.get(code="internet_line").pk))
    page.fill("textarea[name=description]", "分部专线中断")
    page.fill("input[name=reporter_name]", "王联系")
    page.fill("input[name=callback_number]", "13900000001")
    with page.expect_navigation():
        page.click("#ticket-form button")
    assert wait_for(lambda: Ticket.objects.exists()), page.content()[:2000]
    t = Ticket.objects.get()
    assert t.account_manager == people["am3"] and t.status == "dispatched"
    page.click("#usermenu")
    page.click("#logout")
    page = login_page("mm1")
    page.goto(f"{live_server.url}/tickets/{t.pk}/")
    with page.expect_navigation():
        page.click("#act-acknowledge")
    t.refresh_from_db()
    assert t.status == "acknowledged"
    page.screenshot(path="var/screenshots/ticket-mm1.png", full_page=True)
