"""Issue 16 items 4 and 5 (SMS-4, SAT-1, TKT-7, CC-4, RET-6): what the customer reads, and when.

Every template is rendered for its audience: customer texts carry no staff tag and no internal code
and end with the operator's signature; the ticket's rating text speaks of the repair. Surveys and
care messages queued in quiet hours leave in the morning; staff SMS are never held."""
import datetime as dt
import re

import pytest
from django.utils import timezone

from portal.policy import override_policy
from portal.sms.defaults import CUSTOMER, DEFAULT_TEMPLATES, QUIET_TEMPLATES, account_tail
from portal.sms.models import OutboxMessage
from portal.sms.services import outbox_flush, quiet_hours_release, sms_queue, template_render
from portal.workdays import CHINA_TZ

SAMPLE = {"name": "王建国", "manager": "张三丰", "product": "互联网专线", "ticket_no": "GZ20261203000204",
          "group": "杭州娃哈哈集团", "site": "总部", "severity": "严重", "reporter": "李四", "callback": "13900000001",
          "message": "您有3个集团本月未走访", "due": "12-05", "occasion": "春节", "account_tail": "0013",
          "amount": "199.00", "until": "12-04 15:00"}
STAFF_TAG = re.compile(r"【(?:工作提醒|故障派单|集团客户服务|客户关怀)】")
INTERNAL_CODE = re.compile(r"\b(?:ACC|DG|G|GZ|HZ)\d{2,}|\b[A-Z]{2,}\d{4,}")


@pytest.mark.django_db
@pytest.mark.parametrize("row", [r for r in DEFAULT_TEMPLATES if r["audience"] == CUSTOMER], ids=lambda r: r["key"])
def test_customer_texts_carry_no_tag_or_code_and_end_with_the_signature(row):
    with override_policy({"sms.customer_signature": "【浙江移动】"}):
        text = template_render(key=row["key"], context=SAMPLE)
    assert text.endswith("【浙江移动】"), text
    assert not STAFF_TAG.search(text), text
    assert not INTERNAL_CODE.search(text), text
    assert "{{" not in text and "{%" not in text


@pytest.mark.django_db
def test_the_ticket_rating_speaks_of_the_repair_and_the_visit_survey_of_the_visit():
    ticket = template_render(key="ticket_survey", context=SAMPLE)
    visit = template_render(key="survey", context=SAMPLE)
    assert "维修" in ticket and "互联网专线" in ticket and "走访" not in ticket
    assert "走访" in visit and "维修" not in visit


@pytest.mark.django_db
def test_staff_texts_keep_their_tags_and_no_signature():
    for key in ("dispatch", "reminder"):
        text = template_render(key=key, context=SAMPLE)
        assert STAFF_TAG.search(text) and not text.endswith("【中国移动】"), text


def test_an_account_is_named_by_the_last_four_digits():
    assert account_tail("ACC13") == "0013"
    assert account_tail("5710-8812-3456") == "3456"


def _beijing(hour, minute=0, day=3):
    return dt.datetime(2026, 12, day, hour, minute, tzinfo=CHINA_TZ)


@pytest.mark.django_db
@pytest.mark.parametrize("at, leaves", [
    (_beijing(22), _beijing(8, day=4)), (_beijing(2, 30), _beijing(8)), (_beijing(21), _beijing(8, day=4)),
    (_beijing(8), _beijing(8)), (_beijing(20, 59), _beijing(20, 59)), (_beijing(12), _beijing(12)),
])
def test_quiet_hours_hold_surveys_until_the_morning(settings, at, leaves):
    settings.SMS_QUIET_HOURS = True
    assert quiet_hours_release(at, key="survey") == leaves
    assert quiet_hours_release(at, key="greeting") == leaves
    assert quiet_hours_release(at, key="dispatch") == at  # staff SMS are never held
    assert quiet_hours_release(at, key="credit_half_suspension") == at


@pytest.mark.django_db
def test_quiet_hours_are_policy_values(settings):
    settings.SMS_QUIET_HOURS = True
    with override_policy({"sms.quiet_from_hour": 22, "sms.quiet_until_hour": 7}):
        assert quiet_hours_release(_beijing(21, 30), key="survey") == _beijing(21, 30)
        assert quiet_hours_release(_beijing(23), key="survey") == _beijing(7, day=4)
    with override_policy({"sms.quiet_from_hour": 8, "sms.quiet_until_hour": 8}):
        assert quiet_hours_release(_beijing(23), key="survey") == _beijing(23)  # no quiet hours


@pytest.mark.django_db
def test_a_survey_queued_at_22_leaves_at_8_and_a_dispatch_at_once(settings, monkeypatch, sms_outbox):
    """Done-when of issue 16: a survey queued at 22:00 leaves at 08:00."""
    settings.SMS_QUIET_HOURS = True
    evening = _beijing(22)
    monkeypatch.setattr(timezone, "now", lambda: evening)
    survey = sms_queue(to="13900000001", template="survey", context=SAMPLE)
    dispatch = sms_queue(to="13710000001", template="dispatch", context=SAMPLE)
    assert survey.next_attempt_at == _beijing(8, day=4)
    outbox_flush()
    assert [m.to for m in sms_outbox] == ["13710000001"]
    assert OutboxMessage.objects.get(pk=survey.pk).status == "pending"
    monkeypatch.setattr(timezone, "now", lambda: _beijing(8, day=4))
    outbox_flush()
    assert sorted(m.to for m in sms_outbox) == ["13710000001", "13900000001"]
    assert OutboxMessage.objects.get(pk=dispatch.pk).status in ("sent", "delivered")


def test_quiet_templates_are_surveys_and_care_only():
    assert QUIET_TEMPLATES == {"survey", "ticket_survey", "greeting"}
