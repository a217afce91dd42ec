"""Scheduled work of the visits app (SPEC JOB-1, JOB-2, RET-6): idempotent; the registry runs each
under its lock and records what it returns — SMS queued and rows changed, not people matched."""
from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from groupclients.models import Contact, GroupCustomer
from portal.jobs import Job, register
from portal.sms.models import OutboxMessage
from portal.sms.services import sms_queue

from . import compliance
from .services import repairs_mark_overdue, surveys_expire

DUE_SOON_DAYS = 7  # "due soon" in the digest: the period ends within a week

HOLIDAY_NAMES = {
    "New Year's Day": "元旦", "Spring Festival": "春节", "Tomb-sweeping Day": "清明节", "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节", "National Day": "国庆节", "Mid-autumn Festival": "中秋节",
}


def _queue_once(*, dedupe_key: str, **kwargs) -> int:
    """Queue one SMS for a business event, in its own transaction; 1 when this call queued it, 0 when
    it had been queued before (the dedupe key). Exact under the job's lock: the keys are the job's own."""
    with transaction.atomic():
        if OutboxMessage.objects.filter(dedupe_key=dedupe_key).exists():
            return 0
        sms_queue(dedupe_key=dedupe_key, **kwargs)
        return 1


def visit_frequency_warnings(*, today: dt.date | None = None) -> dict[str, int]:
    """JOB-1: a digest SMS per AM with overdue or due-soon visits, and one per group leader for their unit.
    The dedupe key (person, day) makes a second run the same day queue nothing."""
    today = today or timezone.localdate()
    table = compliance.frequency_table()
    # ams_warned / supervisors_warned: digests queued by this run (0 on a second run the same day);
    # overdue / due_soon: what the digests report, for the record
    counts = {"ams_warned": 0, "supervisors_warned": 0, "overdue": 0, "due_soon": 0}
    by_unit: dict[int, list[tuple[User, int, int]]] = {}
    for am in User.objects.filter(is_active=True, roles__code="am").select_related("unit").order_by("pk"):
        obs = compliance.obligations(GroupCustomer.objects.filter(account_manager=am), today=today, table=table)
        overdue = sum(1 for o in obs if o.status == compliance.OVERDUE)
        soon = sum(1 for o in obs if o.status == compliance.DUE and (o.due_by - today).days <= DUE_SOON_DAYS)
        if not (overdue or soon):
            continue
        counts["overdue"] += overdue
        counts["due_soon"] += soon
        by_unit.setdefault(am.unit_id, []).append((am, overdue, soon))
        if am.mobile:
            counts["ams_warned"] += _queue_once(
                to=am.mobile, template="reminder", dedupe_key=f"visit-digest:{am.pk}:{today}",
                context={"name": str(am), "message": _("%(o)d visits overdue, %(s)d due within %(d)d days")
                         % {"o": overdue, "s": soon, "d": DUE_SOON_DAYS}})
    for leader in User.objects.filter(is_active=True, roles__code="leader", unit_id__in=list(by_unit)):
        rows = by_unit.get(leader.unit_id, [])
        if not rows or not leader.mobile:
            continue
        worst = ", ".join(f"{am}:{o}" for am, o, _s in sorted(rows, key=lambda r: -r[1])[:3])
        counts["supervisors_warned"] += _queue_once(
            to=leader.mobile, template="reminder", dedupe_key=f"visit-digest:{leader.pk}:{today}",
            context={"name": str(leader), "message": _("your unit has %(o)d overdue visits (%(w)s)")
                     % {"o": sum(r[1] for r in rows), "w": worst}})
    return counts


def survey_housekeeping() -> dict[str, int]:
    """JOB-2: unanswered surveys, overdue repair cases and their ledger entries."""
    return {"surveys_unanswered": surveys_expire(), **repairs_mark_overdue()}


KEY_PERSON_TYPES = [Contact.Type.DECISION_MAKER, Contact.Type.DEPT_HEAD, Contact.Type.OTHER_DECISION_MAKER]


def care_greetings(*, today: dt.date | None = None) -> dict[str, int]:
    """RET-6: birthday greetings to key persons, and holiday greetings on the first day of a public
    holiday to key persons of class A/B groups. Never to do-not-disturb contacts; once per occasion.
    Returns the greetings queued by this run (a second run the same day queues and reports 0)."""
    from chinese_calendar import get_holiday_detail

    today = today or timezone.localdate()
    sent = {"birthday": 0, "holiday": 0}
    base = Contact.objects.filter(status=Contact.Status.ACTIVE, do_not_disturb=False, type__in=KEY_PERSON_TYPES,
                                  group__status=GroupCustomer.Status.ACTIVE).select_related("group__account_manager")
    for c in base.filter(birthday__month=today.month, birthday__day=today.day).iterator(chunk_size=2000):
        sent["birthday"] += _queue_once(
            to=c.mobile, template="greeting", kind="marketing", related=c, dedupe_key=f"birthday:{c.pk}:{today.year}",
            context={"name": c.name, "occasion": "生日", "manager": str(c.group.account_manager)})
    try:
        is_holiday, name = get_holiday_detail(today)
        was_holiday, prev_name = get_holiday_detail(today - dt.timedelta(days=1))
    except NotImplementedError:  # a year chinese_calendar does not know: no holiday names to greet
        is_holiday, name, prev_name = False, None, None
    if is_holiday and name and prev_name != name:
        occasion = HOLIDAY_NAMES.get(name, "佳节")
        for c in base.filter(group__grade__in=["A", "B"]).iterator(chunk_size=2000):
            sent["holiday"] += _queue_once(
                to=c.mobile, template="greeting", kind="marketing", related=c,
                dedupe_key=f"holiday:{name}:{today.year}:{c.pk}",
                context={"name": c.name, "occasion": occasion, "manager": str(c.group.account_manager)})
    return sent


register(Job(name="visit_frequency_warnings", task="visits.tasks.visit_frequency_warnings_task",
             description="JOB-1: daily digest of overdue and due-soon visits to AMs and group leaders.",
             crontab="0 8 * * *", func="visits.jobs.visit_frequency_warnings"))
register(Job(name="survey_housekeeping", task="visits.tasks.survey_housekeeping_task",
             description="JOB-2: hourly — unanswered surveys, overdue repair cases and their penalties.",
             crontab="5 * * * *", func="visits.jobs.survey_housekeeping"))
register(Job(name="care_greetings", task="visits.tasks.care_greetings_task",
             description="RET-6: daily birthday and holiday greetings to key persons (not do-not-disturb).",
             crontab="30 9 * * *", func="visits.jobs.care_greetings"))
