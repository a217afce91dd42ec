"""TKT-1..9 and PEN-1: the three-party fault ticket from report to close."""
import datetime as dt

import pytest
from django.utils import timezone

from portal.exceptions import ApplicationError, TransitionError
from portal.sms.models import OutboxMessage
from portal.sms.services import sms_receive
from tests.factories import ContactFactory
from tickets import workflow as wf
from tickets.models import LedgerEntry, Ticket, TicketEvent
from tickets.sla import sla_sweep
from visits.models import RepairCase, Survey


def test_full_path_for_an_a_class_group(desk, people, open_ticket):
    """Report → dispatch (SMS to both) → acknowledge → on site → repaired → AM log → rated → closed."""
    t = open_ticket()
    assert t.status == "dispatched" and t.number.startswith("GZ")
    assert (t.account_manager, t.maintenance_manager) == (people["am1"], people["mm1"])
    dispatch = OutboxMessage.objects.filter(template_key="dispatch")
    assert sorted(dispatch.values_list("to", flat=True)) == ["13710000001", "13720000001"]
    assert all(t.number in m.text for m in dispatch)
    assert t.acknowledge_due - t.dispatched_at == dt.timedelta(minutes=15)
    t = wf.ticket_acknowledge(ticket=t, by=people["mm1"])
    t = wf.ticket_arrive(ticket=t, by=people["mm1"])
    t = wf.ticket_repair(ticket=t, by=people["mm1"], cause="line", repair="熔接光缆", am_present=True, notified_am=True)
    assert t.participation == "attended"
    survey = Survey.objects.get(ticket_id=t.pk)
    assert survey.mobile == "13900000001"
    t = wf.ticket_am_log(ticket=t, by=people["am1"], cause="line", repair="熔接光缆", assessment="客户满意",
                         contacts=[desk["g1"].contacts.first()])
    assert t.status == "am_logged" and t.am_visit.kind == "fault_joint" and not t.needs_verification
    with pytest.raises(TransitionError):
        wf.ticket_close(ticket=t, by=people["am1"])  # the rating is still awaited
    sms_receive(sender="13900000001", text="1")
    t.refresh_from_db()
    assert t.status == "rated" and t.rating == 1
    t = wf.ticket_close(ticket=t, by=people["am1"])
    assert t.status == "closed"
    actions = list(t.events.values_list("action", flat=True))
    assert actions[:7] == ["open", "dispatch", "acknowledge", "arrive", "repair", "am_log", "rate"]
    assert not LedgerEntry.objects.exists()


def test_cross_region_site_goes_to_local_pair_and_home_am_is_informed(desk, people, open_ticket):
    """TKT-9."""
    t = open_ticket(site=desk["branch"])
    assert t.account_manager == people["am3"] and t.unit == desk["branch"].unit
    assert OutboxMessage.objects.filter(to="13710000003", template_key="dispatch").exists()
    informed = OutboxMessage.objects.get(to="13710000001")
    assert informed.template_key == "reminder" and t.number in informed.text


@pytest.mark.parametrize("action, kwargs", [
    ("ticket_arrive", {}), ("ticket_repair", {"cause": "line", "repair": "x", "am_present": True,
                                              "notified_am": True}),
    ("ticket_close", {}), ("ticket_redispatch", None),
])
def test_illegal_transitions_are_refused(desk, people, open_ticket, action, kwargs):
    from django.utils import translation

    translation.activate("en")
    t = open_ticket()
    if kwargs is None:
        kwargs = {"site": desk["hq"]}
    who = people["quality1"] if action == "ticket_redispatch" else people["admin"]
    with pytest.raises(TransitionError) as e:
        getattr(wf, action)(ticket=t, by=who, **kwargs)
    assert e.value.status_code == 409 and "cannot" in e.value.message
    t.refresh_from_db()
    assert t.status == "dispatched"


def test_only_the_right_party_acts(desk, people, open_ticket):
    t = open_ticket()
    for who in ("am1", "mm2", "agent1", "manager1"):
        with pytest.raises(ApplicationError) as e:
            wf.ticket_acknowledge(ticket=t, by=people[who])
        assert e.value.status_code == 403
    wf.ticket_acknowledge(ticket=t, by=people["mm1"])
    with pytest.raises(ApplicationError):
        wf.ticket_cancel(ticket=t, by=people["am1"], reason="x")


def test_misroute_redispatched_and_counted_against_agent(desk, people, open_ticket):
    """TKT-4."""
    t = open_ticket()
    with pytest.raises(ApplicationError):
        wf.ticket_misroute(ticket=t, by=people["mm1"], real_location="")
    t = wf.ticket_misroute(ticket=t, by=people["mm1"], real_location="实际在滨江分部")
    assert t.status == "misrouted" and t.misroute_count == 1
    ev = t.events.get(action="misroute")
    assert ev.data["agent"] == people["agent1"].pk
    with pytest.raises(ApplicationError):
        wf.ticket_redispatch(ticket=t, by=people["am1"], site=desk["branch"])
    t = wf.ticket_redispatch(ticket=t, by=people["quality1"], site=desk["branch"])
    assert t.status == "dispatched" and t.account_manager == people["am3"]
    assert OutboxMessage.objects.filter(to="13710000003", template_key="dispatch").count() == 1
    misroutes = TicketEvent.objects.filter(action="misroute", ticket__opened_by=people["agent1"]).count()
    assert misroutes == 1


def _to_repaired(t, people, **repair):
    t = wf.ticket_acknowledge(ticket=t, by=people["mm1"])
    t = wf.ticket_arrive(ticket=t, by=people["mm1"])
    repair = {"cause": "equipment", "repair": "更换光猫", "am_present": False, "notified_am": True, **repair}
    return wf.ticket_repair(ticket=t, by=people["mm1"], **repair)


def _finish(t, people, desk, cause="equipment"):
    t = wf.ticket_am_log(ticket=t, by=people["am1"], cause=cause, repair="更换光猫", assessment="满意",
                         contacts=[desk["g1"].contacts.first()])
    Survey.objects.filter(ticket_id=t.pk).update(status="unanswered")
    return wf.ticket_close(ticket=t, by=people["am1"])


def test_am_absence_writes_ledger_entry(desk, people, open_ticket):
    """TKT-5/PEN-1: A-class group, AM neither attended, substituted nor revisited → −2 points."""
    t = _to_repaired(open_ticket(), people)
    wf.ticket_set_participation(ticket=t, by=people["am1"], mode="none")
    _finish(t, people, desk)
    e = LedgerEntry.objects.get(rule="am_absent")
    assert e.person == people["am1"] and e.points == -2 and e.source == t


def test_substitute_counts_as_participation(desk, people, open_ticket):
    t = _to_repaired(open_ticket(), people)
    with pytest.raises(ApplicationError):
        wf.ticket_set_participation(ticket=t, by=people["am1"], mode="substitute", substitute=people["mm1"])
    wf.ticket_set_participation(ticket=t, by=people["leader1"], mode="substitute", substitute=people["leader1"])
    t = _finish(t, people, desk)
    assert not LedgerEntry.objects.filter(rule="am_absent").exists()


def test_phone_participation_needs_a_revisit_in_time(desk, people, open_ticket):
    # revisit done (the AM's joint-visit log after repair) within 2 days → no penalty
    t = _to_repaired(open_ticket(), people)
    wf.ticket_set_participation(ticket=t, by=people["am1"], mode="phone")
    t = _finish(t, people, desk)
    assert t.revisit_visit_id and not LedgerEntry.objects.exists()
    # no revisit by the deadline → JOB-3 counts it as not participated
    t2 = _to_repaired(open_ticket(), people)
    wf.ticket_set_participation(ticket=t2, by=people["am1"], mode="phone")
    Ticket.objects.filter(pk=t2.pk).update(revisit_due=timezone.now() - dt.timedelta(minutes=1))
    assert sla_sweep()["phone_revisits_missed"] == 1
    assert sla_sweep()["phone_revisits_missed"] == 0
    assert LedgerEntry.objects.get(rule="am_absent").source == t2


def test_mm_not_notifying_am_costs_200(desk, people, open_ticket):
    t = _to_repaired(open_ticket(), people, am_present=True, notified_am=False)
    _finish(t, people, desk)
    e = LedgerEntry.objects.get(rule="mm_not_notified")
    assert e.person == people["mm1"] and e.money == -200


def test_disagreement_goes_to_quality_desk(desk, people, open_ticket):
    """TKT-6: different causes → verification list; the quality desk settles it, wrong record −¥50."""
    from django.utils import translation

    translation.activate("en")
    t = _to_repaired(open_ticket(), people, am_present=True)
    t = wf.ticket_am_log(ticket=t, by=people["am1"], cause="power", repair="x", assessment="y",
                         contacts=[desk["g1"].contacts.first()])
    assert t.needs_verification and "cause" in t.verification_note
    with pytest.raises(ApplicationError):
        wf.ticket_verify(ticket=t, by=people["am1"], note="x")
    t = wf.ticket_verify(ticket=t, by=people["quality1"], note="现场核实为设备故障", wrong_party="am")
    assert not t.needs_verification
    e = LedgerEntry.objects.get(rule="wrong_record")
    assert e.person == people["am1"] and e.money == -50


def test_poor_rating_opens_repair_case(desk, people, open_ticket):
    """TKT-7/SAT-6."""
    t = _to_repaired(open_ticket(), people, am_present=True)
    sms_receive(sender="13900000001", text="4 很差")
    t.refresh_from_db()
    assert t.rating == 4 and t.status == "repaired"
    case = RepairCase.objects.get()
    assert case.group == desk["g1"] and case.survey.ticket_id == t.pk
    t = wf.ticket_am_log(ticket=t, by=people["am1"], cause="equipment", repair="x", assessment="y",
                         contacts=[desk["g1"].contacts.first()])
    assert t.status == "rated"


def test_sla_breach_escalates_once(desk, people, open_ticket):
    """TKT-8/JOB-3: one escalation per breach, however often the sweep runs."""
    t = open_ticket()
    later = timezone.now() + dt.timedelta(minutes=20)
    first = sla_sweep(now=later)
    assert first["acknowledge_breaches"] == 1 and first["escalation_sms"] == 1
    assert OutboxMessage.objects.filter(to="13730000001").count() == 1
    again = sla_sweep(now=later + dt.timedelta(minutes=5))
    assert again["acknowledge_breaches"] == 0 and again["escalation_sms"] == 0
    assert t.events.filter(action="escalated").count() == 1
    much_later = timezone.now() + dt.timedelta(hours=5)
    third = sla_sweep(now=much_later)
    assert third["on_site_breaches"] == 1 and third["restore_breaches"] == 1
    assert t.events.filter(action="escalated").count() == 3


def test_sla_table_per_product(desk, people, open_ticket):
    from tickets.models import SlaRule

    SlaRule.objects.create(product=desk["product"], severity="minor", acknowledge_minutes=5,
                           on_site_minutes=None, restore_minutes=60)
    t = open_ticket(severity="minor")
    assert t.acknowledge_due - t.dispatched_at == dt.timedelta(minutes=5)
    assert timezone.localtime(t.on_site_due).hour == 23  # end of the next working day


def test_wrong_site_refused(desk, people, book, open_ticket):
    from tickets.workflow import ticket_open

    other_site = book["g2"].sites.first()
    with pytest.raises(ApplicationError):
        ticket_open(group=desk["g1"], site=other_site, product=desk["product"], severity="major",
                    description="x", reporter_name="y", callback_number="13900000001", by=people["agent1"])
    with pytest.raises(ApplicationError):
        open_ticket(by=people["mm1"])


def test_reporter_contact_is_linked_when_known(desk, people, open_ticket):
    c = ContactFactory(group=desk["g1"], name="报障人", mobile="13955556666")
    t = _to_repaired(open_ticket(callback="13955556666"), people, am_present=True)
    assert Survey.objects.get(ticket_id=t.pk).contact == c
