"""A small, fully dated month (June 2025) whose every KPI is worked out by hand in test_figures.py.

June 2025 is an even month, so two-month visit periods are May–June (period start 1 May, previous
period start 1 March); one-month periods start 1 June (previous: 1 May). The reference moment of a
past month is 1 July 00:00 local time.

  groups (all on file since 1 Jan 2025)   visits                     status at the end of June
  g1 A  u11 am1                           10 Jun (met c1)            done
  g2 B  u21 am2                           20 May (met c2)            due   (visited last period)
  g3 C  u12 am3                           5 Jul (met x3) only        overdue
  g4 C  u11 am1b                          15 Mar                     due   (C: previous period Mar–Apr)
  g5 C  u12 am3, a prospect missing its phone   none                 overdue

  contacts: c1 g1 decision-maker → done; p1 g1 primary → overdue; c2 g2 primary → due;
            p4 g4 primary → overdue; x3 g3 department head (visited only in July) → overdue
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

M = dt.date(2025, 6, 1)
EARLY = dt.datetime(2025, 1, 1, 9, 0)


def at(day: int, hour: int = 10, minute: int = 0, month: int = 6, year: int = 2025) -> dt.datetime:
    return timezone.make_aware(dt.datetime(year, month, day, hour, minute))


@pytest.fixture
def june(book, people, org):
    from groupclients.models import Contact, GroupCustomer, GroupStatusChange, Member, Product
    from groupclients.services import group_refresh_quality
    from tests.factories import ContactFactory, GroupFactory, SiteFactory
    from tickets.models import Complaint, LedgerEntry, Ticket, TicketEvent
    from tickets.services import ledger_record
    from visits.models import RepairCase, Survey, VisitLog

    p = people
    g1, g2, g3, g4 = book["g1"], book["g2"], book["g3"], book["g4"]
    c1, c2 = book["c1"], book["c2"]
    g5 = GroupFactory(
        name="滨江初创公司", grade="C", status="prospect", phone="", unit=org["u12"], account_manager=p["am3"]
    )
    p1 = ContactFactory(group=g1, name="王主联系", type="contact", is_primary=True)
    p4 = ContactFactory(group=g4, name="西湖主联系", type="contact", is_primary=True)
    x3 = ContactFactory(group=g3, name="滨江部长", type="dept_head")
    GroupCustomer.objects.filter(pk__in=[g.pk for g in (g1, g2, g3, g4, g5)]).update(
        created_at=timezone.make_aware(EARLY)
    )
    Contact.objects.filter(group__in=[g1, g2, g3, g4, g5]).update(created_at=timezone.make_aware(EARLY))
    group_refresh_quality([g.pk for g in (g1, g2, g3, g4, g5)])

    def visit(group, when, contacts=(), am=None, kind="routine"):
        v = VisitLog.objects.create(
            group=group,
            account_manager=am or group.account_manager,
            started_at=when,
            kind=kind,
            notes="走访",
            next_visit_on=(when + dt.timedelta(days=30)).date(),
        )
        v.contacts.set(contacts)
        return v

    v1 = visit(g1, at(10), [c1])
    visit(g2, at(20, month=5), [c2])
    visit(g3, at(5, month=7), [x3])
    visit(g4, at(15, month=3))

    # surveys: three sent in June (one satisfied, one dissatisfied, one unanswered), one in May
    def survey(group, contact, am, sent, status, score=None):
        s = Survey.objects.create(
            group=group,
            contact=contact,
            account_manager=am,
            mobile="13800000000",
            status=status,
            score=score,
            expires_at=sent + dt.timedelta(hours=72),
            answered_at=sent + dt.timedelta(hours=1) if status == "answered" else None,
        )
        Survey.objects.filter(pk=s.pk).update(sent_at=sent)
        return s

    s1 = survey(g1, c1, p["am1"], at(10, 12), "answered", 1)
    s2 = survey(g1, p1, p["am1"], at(11), "answered", 4)
    s3 = survey(g2, c2, p["am2"], at(12), "unanswered")
    s4 = survey(g2, c2, p["am2"], at(30, month=5), "answered", 2)

    # repair cases due in June: r1 on time, r2 closed late, r3 never closed; r4 is due in July
    def case(s, group, am, branch, due, closed=None):
        return RepairCase.objects.create(
            survey=s,
            group=group,
            account_manager=am,
            branch=branch,
            due_at=due,
            closed_at=closed,
            status="closed" if closed else "overdue",
        )

    r1 = case(s2, g1, p["am1"], org["b1"], at(13), at(12))
    r2 = case(s3, g2, p["am2"], org["b2"], at(20), at(22))
    case(s1, g1, p["am1"], org["b1"], at(28))
    case(s4, g2, p["am2"], org["b2"], at(2, month=7))

    # tickets
    product = Product.objects.get(code="internet_line")
    hq, branch_site = g1.sites.get(name="总部"), g1.sites.get(name="滨江分部")
    g2_site = g2.sites.get(name="总部")
    g3_site = SiteFactory(group=g3, name="厂区", unit=org["u12"], local_am=p["am3"], local_mm=p["mm1"])
    n = iter(range(1, 100))

    def ticket(
        site,
        am,
        opened,
        status,
        *,
        ack=None,
        ack_due=None,
        on_site=None,
        on_site_due=None,
        repaired=None,
        restore_due=None,
        participation="",
        **extra,
    ):
        t = Ticket.objects.create(
            number=f"KT{next(n):04d}",
            group=site.group,
            site=site,
            unit=site.unit,
            product=product,
            severity="critical",
            description="故障",
            reporter_name="客户",
            callback_number="13900000000",
            channel="call_centre",
            opened_by=p["agent1"],
            status=status,
            account_manager=am,
            maintenance_manager=p["mm1"],
            home_am=site.group.account_manager,
            dispatched_at=opened,
            acknowledged_at=ack,
            acknowledge_due=ack_due,
            on_site_at=on_site,
            on_site_due=on_site_due,
            repaired_at=repaired,
            restore_due=restore_due,
            participation=participation,
            **extra,
        )
        Ticket.objects.filter(pk=t.pk).update(opened_at=opened)
        return t

    t1 = ticket(
        hq,
        p["am1"],
        at(5, 10),
        "closed",
        ack=at(5, 10, 10),
        ack_due=at(5, 10, 15),
        on_site=at(5, 11),
        on_site_due=at(5, 12),
        repaired=at(5, 13),
        restore_due=at(5, 14),
        participation="attended",
    )
    t2 = ticket(
        branch_site, p["am3"], at(6, 9), "closed", repaired=at(6, 15), restore_due=at(6, 13), participation="none"
    )
    t3 = ticket(
        g2_site,
        p["am2"],
        at(7, 8),
        "repaired",
        ack=at(7, 9),
        ack_due=at(7, 8, 30),
        repaired=at(7, 13),
        restore_due=at(7, 16),
        participation="substitute",
    )
    t4 = ticket(g3_site, p["am3"], at(20, 9), "dispatched", restore_due=at(20, 13))
    t5 = ticket(
        hq,
        p["am1"],
        at(31, 22, month=5),
        "closed",
        repaired=at(1, 2),
        restore_due=at(1, 6),
        participation="phone",
        revisit_visit=v1,
    )
    t6 = ticket(g2_site, p["am2"], at(25, 9), "cancelled")

    def event(t, action, when):
        e = TicketEvent.objects.create(ticket=t, action=action, from_status=t.status, to_status=t.status)
        TicketEvent.objects.filter(pk=e.pk).update(at=when)

    event(t2, "misroute", at(6, 10))
    event(t3, "escalated", at(7, 8, 31))
    event(t1, "misroute", at(30, month=5))

    # complaints (received in June: one in time, one late, one unanswered past due, one not yet due)
    def complaint(group, am, kind, received, due, answered=None):
        return Complaint.objects.create(
            group=group,
            account_manager=am,
            recorded_by=am,
            kind=kind,
            channel="phone",
            description="投诉",
            received_at=received,
            answer_due=due,
            answer_max_due=due + dt.timedelta(hours=48),
            answered_at=answered,
            status="answered" if answered else "open",
        )

    k1 = complaint(g1, p["am1"], "complaint", at(3), at(4), at(3, 18))
    complaint(g1, p["am1"], "complaint", at(10), at(11), at(12))
    k3 = complaint(g2, p["am2"], "complaint", at(29, 12), at(30, 12))
    complaint(g3, p["am3"], "complaint", at(30, 20), at(1, 20, month=7))
    complaint(g1, p["am1"], "consultation", at(15), at(16), at(15, 11))

    # members at the end of June: m1 m2 m5 (3); at 30 March: m1 m3 m5 m7 (4)
    def member(group, mobile, status="active", joined=None, left=None):
        return Member.objects.create(group=group, mobile=mobile, status=status, joined_on=joined, left_on=left)

    member(g1, "13600000001", joined=dt.date(2024, 1, 1))
    member(g1, "13600000002", joined=dt.date(2025, 6, 15))
    member(g1, "13600000003", "left", dt.date(2024, 1, 1), dt.date(2025, 5, 10))
    member(g1, "13600000004", "left", dt.date(2024, 1, 1))
    member(g2, "13600000005")
    member(g2, "13600000006", joined=dt.date(2025, 7, 10))
    member(g2, "13600000007", "left", dt.date(2024, 1, 1), dt.date(2025, 4, 15))

    def change(group, frm, to, when):
        c = GroupStatusChange.objects.create(group=group, from_status=frm, to_status=to)
        GroupStatusChange.objects.filter(pk=c.pk).update(at=when)

    change(g3, "active", "churned", at(15))
    change(g5, "prospect", "active", at(16))
    change(g4, "active", "churned", at(15, month=5))

    # performance ledger: June has -7 points and ¥-200 (the reversed entry and May's do not count)
    R = LedgerEntry.Rule
    ledger_record(rule=R.AM_ABSENT, source=t2, when=at(6, 16), person=p["am1"], points=-2)
    ledger_record(rule=R.MM_NOT_NOTIFIED, source=t2, when=at(6, 16), person=p["mm1"], money=-200)
    ledger_record(rule=R.MISSED_REPAIR, source=r2, when=at(20, 12), branch=org["b1"], points=-5)
    reversed_entry = ledger_record(rule=R.UNRECORDED_COMPLAINT, source=k3, when=at(29, 13), person=p["am2"], points=-20)
    LedgerEntry.objects.filter(pk=reversed_entry.pk).update(reversed_at=at(30), reversal_reason="误报")
    ledger_record(rule=R.WRONG_RECORD, source=t1, when=at(20, month=5), person=p["am1"], money=-50)

    return {
        "month": M,
        "g1": g1,
        "g2": g2,
        "g3": g3,
        "g4": g4,
        "g5": g5,
        "c1": c1,
        "c2": c2,
        "p1": p1,
        "p4": p4,
        "x3": x3,
        "t1": t1,
        "t2": t2,
        "t3": t3,
        "t4": t4,
        "t5": t5,
        "t6": t6,
        "r1": r1,
        "k1": k1,
        "hq": hq,
        "product": product,
        "money": Decimal("-200"),
    }


@pytest.fixture
def province(org):
    from portal.kpi.scope import Scope

    return Scope(node=org["province"])


@pytest.fixture
def report_for():
    """report_for(scope, month=M, **kw) → the KPI report (a fixed `now` after the month)."""
    from portal.kpi.compute import kpi_report

    def make(scope, month=M, **kw):
        kw.setdefault("now", at(15, month=8))
        return kpi_report(scope, month, **kw)

    return make
