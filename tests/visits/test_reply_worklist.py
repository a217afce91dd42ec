"""Issue 16 item 2 (SAT-2, SAT-3, TKT-7): a reply the portal cannot read waits on the supervisor's
work list; the supervisor's reading has exactly the effects of an SMS score, and is audited."""
import pytest

from portal.exceptions import ApplicationError
from portal.models import AuditEvent
from portal.sms.services import sms_receive
from visits.models import RepairCase, Survey, SurveyReply
from visits.selectors import replies_to_read_for_user
from visits.services import survey_reply_settle

UNREADABLE = "王经理您好，关于上次说的那个事情，我们下周开会再定"


@pytest.fixture
def unread(field, log_visit):
    visit = log_visit(field["g1"], [field["primary"]])
    sms_receive(sender="13900000001", receiver="10086", text=UNREADABLE, message_id="k-1")
    reply = SurveyReply.objects.get()
    assert reply.parsed_score is None
    return {"visit": visit, "survey": visit.surveys.get(), "reply": reply}


def test_unread_reply_waits_for_the_supervisors_in_scope_only(unread, people):
    assert list(replies_to_read_for_user(people["leader1"])) == [unread["reply"]]
    assert list(replies_to_read_for_user(people["manager1"])) == [unread["reply"]]
    assert list(replies_to_read_for_user(people["manager2"])) == []  # another branch (ORG-3)
    assert list(replies_to_read_for_user(people["am2"])) == []


def test_a_dissatisfied_reading_opens_the_repair_case_and_is_audited(unread, people):
    survey_reply_settle(reply_id=unread["reply"].pk, by=people["leader1"], score=3)
    survey = Survey.objects.get(pk=unread["survey"].pk)
    assert (survey.status, survey.score) == ("answered", 3)
    case = RepairCase.objects.get(survey=survey)
    assert case.status == "open"
    reply = SurveyReply.objects.get(pk=unread["reply"].pk)
    assert (reply.settled_score, reply.settled_by) == (3, people["leader1"])
    event = AuditEvent.objects.get(action="survey.reply_read")
    assert event.actor == people["leader1"] and event.detail["score"] == 3
    assert list(replies_to_read_for_user(people["leader1"])) == []


def test_a_satisfied_reading_answers_without_repair(unread, people):
    survey_reply_settle(reply_id=unread["reply"].pk, by=people["manager1"], score=1)
    assert Survey.objects.get(pk=unread["survey"].pk).score == 1
    assert not RepairCase.objects.exists()


def test_not_an_answer_leaves_the_survey_open(unread, people):
    survey_reply_settle(reply_id=unread["reply"].pk, by=people["leader1"], score=None)
    survey = Survey.objects.get(pk=unread["survey"].pk)
    assert survey.status == "sent" and survey.score is None
    assert list(replies_to_read_for_user(people["leader1"])) == []
    sms_receive(sender="13900000001", receiver="10086", text="2", message_id="k-2")
    assert Survey.objects.get(pk=unread["survey"].pk).score == 2


def test_who_may_read_and_how_often(unread, people):
    from django.core.exceptions import PermissionDenied
    from django.http import Http404

    with pytest.raises(PermissionDenied):
        survey_reply_settle(reply_id=unread["reply"].pk, by=people["am1"], score=4)
    with pytest.raises(Http404):
        survey_reply_settle(reply_id=unread["reply"].pk, by=people["manager2"], score=4)
    with pytest.raises(ApplicationError):
        survey_reply_settle(reply_id=unread["reply"].pk, by=people["leader1"], score=7)
    survey_reply_settle(reply_id=unread["reply"].pk, by=people["leader1"], score=2)
    with pytest.raises(ApplicationError) as second:
        survey_reply_settle(reply_id=unread["reply"].pk, by=people["manager1"], score=4)
    assert second.value.status_code == 409
    assert Survey.objects.get(pk=unread["survey"].pk).score == 2
    assert not RepairCase.objects.exists()


def test_a_reading_after_a_later_sms_score_is_refused(unread, people):
    sms_receive(sender="13900000001", receiver="10086", text="1", message_id="k-3")
    with pytest.raises(ApplicationError):
        survey_reply_settle(reply_id=unread["reply"].pk, by=people["leader1"], score=4)
    assert Survey.objects.get(pk=unread["survey"].pk).score == 1


def test_the_work_list_page(unread, people, client):
    client.force_login(people["leader1"])
    page = client.get("/visits/surveys/replies/")
    assert page.status_code == 200 and UNREADABLE in page.content.decode()
    r = client.post(f"/visits/surveys/replies/{unread['reply'].pk}/read/", {"score": "4"})
    assert r.status_code == 302
    assert RepairCase.objects.filter(survey=unread["survey"]).exists()
    client.force_login(people["am1"])  # the AM sees the list but has no form
    page = client.get("/visits/surveys/replies/")
    assert page.status_code == 200 and "survey-reply-settle" not in page.content.decode()
    r = client.post(f"/visits/surveys/replies/{unread['reply'].pk}/read/", {"score": "bogus"})
    assert r.status_code == 302  # a clear message, nothing changed
