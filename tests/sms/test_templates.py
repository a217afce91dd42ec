"""Templates (SPEC SMS-4): seeded Chinese defaults, admin-editable, rendered without HTML escaping."""

import pytest
from django.core.exceptions import ValidationError

from portal.exceptions import ApplicationError
from portal.models import AuditEvent
from portal.sms.models import SmsTemplate
from portal.sms.rendering import is_gsm_ascii, sms_parts
from portal.sms.services import sms_queue, sms_template_save, template_render


@pytest.mark.django_db
def test_default_templates_are_seeded_in_chinese():
    """SMS-4: survey, dispatch, reminder and greeting exist after migrate, in Chinese."""
    keys = set(SmsTemplate.objects.values_list("key", flat=True))
    assert {"survey", "dispatch", "reminder", "greeting"} <= keys
    survey = SmsTemplate.objects.get(key="survey").text
    for choice in ("1 非常满意", "2 较好", "3 一般", "4 很差"):
        assert choice in survey


@pytest.mark.django_db
def test_survey_renders_chinese_context_in_one_sms():
    """SAT-2, SMS-4: the survey names the contact and the account manager and fits one SMS."""
    text = template_render(key="survey", context={"name": "王建国", "manager": "张三丰"})
    assert text.startswith("王建国您好") and text.endswith("【中国移动】")  # issue 16 item 5: signed, no tag
    assert "客户经理张三丰" in text
    assert "{{" not in text
    assert sms_parts(text) == 1


@pytest.mark.django_db
def test_rendering_does_not_html_escape():
    """SMS-4: SMS is plain text — a name with & or < stays as typed."""
    text = template_render(key="greeting", context={"name": "A&B <公司>", "occasion": "春节"})
    assert "A&B <公司>" in text
    assert "&amp;" not in text
    assert "春节" in text


@pytest.mark.django_db
def test_admin_edit_changes_the_text_and_is_audited(people):
    """SMS-4, CFG-1: an administrator's edit is used for the next message and audit-logged."""
    template = SmsTemplate.objects.get(key="reminder")
    template.text = "【提醒】{{ name }}：{{ message }}"
    sms_template_save(template=template, by=people["admin"])
    row = sms_queue(to="13800138000", template="reminder", context={"name": "李四", "message": "明天走访"})
    assert row.text == "【提醒】李四：明天走访"
    assert row.template_key == "reminder"
    event = AuditEvent.objects.get(target_type="sms.smstemplate", target_id=str(template.pk))
    assert event.actor == people["admin"]


@pytest.mark.django_db
def test_broken_template_syntax_is_refused():
    """SMS-4: an admin cannot save a text that would fail at sending time."""
    template = SmsTemplate.objects.get(key="reminder")
    template.text = "{% if name %}没有结束"
    with pytest.raises(ValidationError):
        sms_template_save(template=template)


@pytest.mark.django_db
def test_missing_row_falls_back_to_the_built_in_default():
    """SMS-4: sending does not depend on the seeded rows (deleted, or a flushed test database)."""
    SmsTemplate.objects.filter(key="survey").delete()
    assert "4 很差" in template_render(key="survey", context={"name": "王"})
    with pytest.raises(ApplicationError):
        template_render(key="no-such-template")


def test_parts_and_coding():
    """SMS-4: 70 Chinese characters fit one SMS, 71 need two (67 per part); ASCII counts 160/153."""
    assert sms_parts("好" * 70) == 1
    assert sms_parts("好" * 71) == 2
    assert sms_parts("好" * 134) == 2
    assert sms_parts("好" * 135) == 3
    assert sms_parts("a" * 160) == 1
    assert sms_parts("a" * 161) == 2
    assert is_gsm_ascii("Code 1234, reply Y/N")
    assert not is_gsm_ascii("验证码 1234")
    assert not is_gsm_ascii("café")
