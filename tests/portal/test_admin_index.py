"""The admin index puts every policy table under one heading (SPEC CFG-1), in English and Chinese."""
from portal.admin_site import POLICY_MODELS


def _sections(response) -> dict[str, list[str]]:
    return {str(app["name"]): [m["model"]._meta.label_lower for m in app["models"]]
            for app in response.context["app_list"]}


def test_policy_tables_come_first_under_one_heading(db, people, client_for):
    r = client_for(people["admin"]).get("/admin/", HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 200
    first = r.context["app_list"][0]
    assert str(first["name"]) == "Policy configuration"
    assert [m["model"]._meta.label_lower for m in first["models"]] == list(POLICY_MODELS)
    assert first["app_url"] == "/admin/portal/policyvalue/"
    # nowhere else on the index
    others = [label for name, labels in _sections(r).items() if name != "Policy configuration" for label in labels]
    assert not set(POLICY_MODELS) & set(others)
    page = r.content.decode()
    for title in ("Policy configuration", "SLA table", "Contact minimums", "Policy values"):
        assert title in page


def test_the_headings_are_translated(db, people, client_for):
    r = client_for(people["admin"]).get("/admin/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    page = r.content.decode()
    for title in ("业务规则与参数配置", "处理时限表", "联系人下限", "走访频次", "业务参数", "短信模板", "工作日调整"):
        assert title in page, title


def test_an_apps_own_page_still_lists_its_policy_table(db, people, client_for):
    r = client_for(people["admin"]).get("/admin/tickets/", HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 200
    assert "tickets.slarule" in [m["model"]._meta.label_lower for m in r.context["app_list"][0]["models"]]


def test_sla_form_has_bilingual_help(db, people, client_for):
    from tickets.models import SlaRule

    rule = SlaRule.objects.get(product=None, severity="critical")
    url = f"/admin/tickets/slarule/{rule.pk}/change/"
    admin = client_for(people["admin"])
    assert "acknowledge ≤ on site ≤ restore" in admin.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "接单 ≤ 到场 ≤ 恢复" in admin.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
