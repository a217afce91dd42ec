"""Issue 16 item 4 (TKT-7, SAT-1): a fault ticket asks its contact once — the ticket's rating, in
the repair's words; the AM's joint-visit log sends no survey of its own."""
from portal.sms.models import OutboxMessage
from tickets import workflow as wf
from visits.models import Survey


def test_a_ticket_sends_one_survey_about_the_repair(desk, people, open_ticket):
    t = open_ticket()
    t = wf.ticket_acknowledge(ticket=t, by=people["mm1"])
    t = wf.ticket_arrive(ticket=t, by=people["mm1"])
    t = wf.ticket_repair(ticket=t, by=people["mm1"], cause="line", repair="熔接光缆", am_present=True, notified_am=True)
    reporter = desk["g1"].contacts.create(name="王联系", mobile="13900000001", type="contact")
    wf.ticket_am_log(ticket=t, by=people["am1"], cause="line", repair="熔接光缆", assessment="客户满意",
                     contacts=[reporter, desk["g1"].contacts.exclude(pk=reporter.pk).first()])
    assert Survey.objects.count() == 1 and Survey.objects.get().ticket_id == t.pk
    texts = list(OutboxMessage.objects.filter(template_key__in=["survey", "ticket_survey"]).values_list("text", flat=True))
    assert len(texts) == 1 and "维修" in texts[0] and "走访" not in texts[0]
