"""Issue 16 item 3 (SMS-3): each reply to its own survey. A survey leaves from the service number
plus an extension; the reply to that extension answers that survey, even while another survey of
the same mobile is open; without a known extension the most recent open survey takes it."""
import pytest

from portal.policy import override_policy
from portal.sms.models import OutboxMessage
from portal.sms.services import sms_receive
from tests.visits.conftest import log_visit  # noqa: F401  (fixture)
from tickets import workflow as wf
from visits.models import Survey
from visits.services import _extension_of


def _ticket_repaired(open_ticket, people):
    t = open_ticket()
    t = wf.ticket_acknowledge(ticket=t, by=people["mm1"])
    t = wf.ticket_arrive(ticket=t, by=people["mm1"])
    return wf.ticket_repair(ticket=t, by=people["mm1"], cause="line", repair="熔接光缆", am_present=True,
                            notified_am=True)


@pytest.fixture
def two_open(desk, people, open_ticket, log_visit):  # noqa: F811
    """A visit survey and, later, a ticket survey open for the same mobile 13900000001."""
    contact = desk["g1"].contacts.create(name="王联系", mobile="13900000001", type="contact")
    visit = log_visit(desk["g1"], [contact])
    ticket = _ticket_repaired(open_ticket, people)
    return {"visit": visit.surveys.get(), "ticket": Survey.objects.get(ticket_id=ticket.pk), "ticket_obj": ticket}


def test_each_survey_leaves_from_its_own_extension(two_open):
    v, t = two_open["visit"], two_open["ticket"]
    assert len(v.extension) == 4 and len(t.extension) == 4 and v.extension != t.extension
    senders = dict(OutboxMessage.objects.filter(template_key__in=["survey", "ticket_survey"])
                   .values_list("template_key", "sender"))
    assert senders == {"survey": f"10086{v.extension}", "ticket_survey": f"10086{t.extension}"}


def test_a_reply_to_the_visit_extension_answers_the_visit_not_the_newer_ticket(two_open):
    v, t = two_open["visit"], two_open["ticket"]
    sms_receive(sender="13900000001", receiver=f"10086{v.extension}", text="1", message_id="e-1")
    assert Survey.objects.get(pk=v.pk).score == 1
    assert Survey.objects.get(pk=t.pk).status == "sent"
    sms_receive(sender="13900000001", receiver=f"10086{t.extension}", text="4", message_id="e-2")
    assert Survey.objects.get(pk=t.pk).score == 4
    two_open["ticket_obj"].refresh_from_db()
    assert two_open["ticket_obj"].rating == 4


def test_a_second_reply_to_an_answered_survey_stays_with_it(two_open):
    v, t = two_open["visit"], two_open["ticket"]
    sms_receive(sender="13900000001", receiver=f"10086{v.extension}", text="1", message_id="e-3")
    sms_receive(sender="13900000001", receiver=f"10086{v.extension}", text="2", message_id="e-4")
    assert Survey.objects.get(pk=v.pk).score == 1 and v.replies.count() == 2
    assert Survey.objects.get(pk=t.pk).status == "sent"  # the ticket was not answered by it


@pytest.mark.parametrize("receiver", ["10086", "", "1008", "10086123", "106575"])
def test_without_a_known_extension_the_most_recent_open_survey_takes_it(two_open, receiver):
    sms_receive(sender="13900000001", receiver=receiver, text="2", message_id=f"e-{receiver}")
    assert Survey.objects.get(pk=two_open["ticket"].pk).score == 2
    assert Survey.objects.get(pk=two_open["visit"].pk).status == "sent"


def test_extension_length_and_prefix_are_policy_values(db):
    with override_policy({"survey.sender_prefix": "1065", "survey.sender_extension_digits": 3}):
        assert _extension_of("1065042") == "042"
        assert _extension_of("10650042") == ""
        assert _extension_of("10086042") == ""
    with override_policy({"survey.sender_extension_digits": 0}):
        assert _extension_of("100860042") == ""
