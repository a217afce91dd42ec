"""Issue 16 item 2 with TKT-7: a supervisor's reading of an unread reply to a ticket's survey."""
from portal.sms.services import sms_receive
from visits.models import RepairCase, SurveyReply
from visits.services import survey_reply_settle


def test_a_ticket_survey_reading_rates_the_ticket(desk, people, open_ticket):
    """TKT-7: the supervisor's reading rates the ticket exactly as an SMS answer would."""
    from tickets import workflow as wf
    from tickets.models import Ticket

    t = open_ticket()
    t = wf.ticket_acknowledge(ticket=t, by=people["mm1"])
    t = wf.ticket_arrive(ticket=t, by=people["mm1"])
    t = wf.ticket_repair(ticket=t, by=people["mm1"], cause="line", repair="熔接光缆", am_present=True, notified_am=True)
    sms_receive(sender="13900000001", receiver="10086", text="修是修好了，但是下次能不能早点说一声", message_id="k-9")
    reply = SurveyReply.objects.get(survey__ticket_id=t.pk)
    assert reply.parsed_score is None
    survey_reply_settle(reply_id=reply.pk, by=people["manager1"], score=4)
    assert Ticket.objects.get(pk=t.pk).rating == 4
    assert RepairCase.objects.filter(survey__ticket_id=t.pk).exists()
