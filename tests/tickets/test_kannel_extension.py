"""Issue 16 item 3 through the real Kannel (SMS-2, SMS-3, TKT-7): a reply sent by the handset to the
ticket survey's extension rates that ticket while a visit survey of the same mobile is open."""
import pytest

from tests.conftest import wait_for
from tests.sms.conftest import kannel  # noqa: F401  (fixture)
from tests.visits.conftest import log_visit  # noqa: F401  (fixture)
from tickets import workflow as wf
from tickets.models import Ticket
from visits.models import Survey

pytestmark = [pytest.mark.kannel]


def test_a_reply_to_the_ticket_extension_rates_the_ticket_through_kannel(kannel, desk, people, open_ticket,  # noqa: F811
                                                                         log_visit):  # noqa: F811
    contact = desk["g1"].contacts.create(name="王联系", mobile="13900000001", type="contact")
    t = open_ticket()
    t = wf.ticket_acknowledge(ticket=t, by=people["mm1"])
    t = wf.ticket_arrive(ticket=t, by=people["mm1"])
    wf.ticket_repair(ticket=t, by=people["mm1"], cause="line", repair="熔接光缆", am_present=True, notified_am=True)
    log_visit(desk["g1"], [contact])  # the visit survey is the newer one
    ticket_survey = Survey.objects.get(ticket_id=t.pk)
    visit_survey = Survey.objects.get(visit__isnull=False, mobile="13900000001")
    got = [m for m in kannel.wait_received(4, timeout=30) if m.receiver.endswith("13900000001")]
    senders = {m.sender for m in got}
    assert f"10086{ticket_survey.extension}" in senders and f"10086{visit_survey.extension}" in senders, got

    kannel.send_mo("13900000001", f"10086{ticket_survey.extension}", "1")  # the handset answers the ticket's SMS
    assert wait_for(lambda: Ticket.objects.get(pk=t.pk).rating == 1), kannel.log("smsbox")
    assert Survey.objects.get(pk=visit_survey.pk).status == "sent"  # the visit's survey still waits
