import pytest

from groupclients.models import Product


@pytest.fixture
def desk(book, people):
    """g1 (class A, am1) has its HQ in u11 (am1/mm1) and a branch office in u12 (am3/mm1)."""
    for name, mobile in (("am1", "13710000001"), ("am3", "13710000003"), ("mm1", "13720000001"),
                         ("manager1", "13730000001"), ("agent1", "13740000001")):
        people[name].mobile = mobile
        people[name].save()
    g1 = book["g1"]
    hq, branch_site = g1.sites.get(name="总部"), g1.sites.get(name="滨江分部")
    return {"g1": g1, "hq": hq, "branch": branch_site, "product": Product.objects.get(code="internet_line")}


@pytest.fixture
def open_ticket(desk, people):
    from tickets.workflow import ticket_open

    def go(site=None, severity="critical", by=None, **kw):
        return ticket_open(group=desk["g1"], site=site or desk["hq"], product=desk["product"], severity=severity,
                           description=kw.pop("description", "专线中断"), reporter_name="王联系",
                           callback_number=kw.pop("callback", "13900000001"), by=by or people["agent1"])

    return go
