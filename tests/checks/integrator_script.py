"""An integrator's script, written against the Python client that openapi-python-client generates
from the portal's /api/schema/ (package `portal_api_client`). It is run unchanged by
tests/checks/test_generated_client.py (issue 12 CHECK "generated client"); every answer is parsed
into the client's own models — no raw JSON anywhere.

    PORTAL_URL=http://127.0.0.1:8000 PORTAL_USER=am1 PORTAL_PASSWORD=demo12345 python integrator_script.py
"""
from __future__ import annotations

import datetime as dt
import json
import os
import sys

from portal_api_client import AuthenticatedClient, Client
from portal_api_client.api.v1 import (
    v1_alerts_list,
    v1_auth_token_create,
    v1_credit_orders_list,
    v1_groups_contacts_list,
    v1_groups_list,
    v1_kpi_retrieve,
    v1_products_list,
    v1_sites_list,
    v1_tickets_create,
    v1_visits_create,
)
from portal_api_client.models import (
    ContactStatusEnum,
    KpiReport,
    PaginatedAlertList,
    PaginatedContactList,
    PaginatedGroupList,
    PaginatedOrderList,
    PaginatedSiteList,
    Product,
    PurposesEnum,
    SeverityEnum,
    Ticket,
    TicketRequest,
    TokenRequestRequest,
    TokenResponse,
    Visit,
    VisitKindEnum,
    VisitRequest,
)


def expect(answer, model):
    if not isinstance(answer, model):
        raise SystemExit(f"expected {model.__name__}, got {type(answer).__name__}: {answer!r}"[:2000])
    return answer


def main() -> None:
    url, user, password = os.environ["PORTAL_URL"], os.environ["PORTAL_USER"], os.environ["PORTAL_PASSWORD"]
    done: dict[str, object] = {}

    # 1. a token
    token = expect(v1_auth_token_create.sync(client=Client(base_url=url),
                                             body=TokenRequestRequest(username=user, password=password)),
                   TokenResponse).token
    api = AuthenticatedClient(base_url=url, token=token, prefix="Token", timeout=60)

    # 2. every page of groups
    groups, page = [], 1
    while True:
        answer = expect(v1_groups_list.sync(client=api, page=page, page_size=100), PaginatedGroupList)
        groups += answer.results
        if not answer.next_:
            break
        page += 1
    assert len(groups) == answer.count, (len(groups), answer.count)
    done["groups"] = len(groups)
    done["group_pages"] = page

    # 3. a visit to one of my groups, meeting an active contact
    for group in groups:
        contacts = expect(v1_groups_contacts_list.sync(id=group.id, client=api), PaginatedContactList)
        active = [c for c in contacts.results if c.status == ContactStatusEnum.ACTIVE]
        if active and group.account_manager_username == user:
            break
    else:
        raise SystemExit("no group of mine with an active contact")
    now = dt.datetime.now(dt.timezone.utc)
    visit = expect(v1_visits_create.sync(client=api, body=VisitRequest(
        group=group.id, contacts=[active[0].id], kind=VisitKindEnum.ROUTINE, notes="集成测试：季度回访",
        purposes=[PurposesEnum.RELATIONSHIP],
        visited_at=now - dt.timedelta(hours=2), next_visit_on=(now + dt.timedelta(days=30)).date())), Visit)
    done["visit"] = visit.id

    # 4. a ticket that names its product by code
    products = v1_products_list.sync(client=api)
    assert products and all(isinstance(p, Product) for p in products), products
    code = next(p.code for p in products if p.code == "internet_line")
    sites = expect(v1_sites_list.sync(client=api, group=group.id), PaginatedSiteList)
    ticket = expect(v1_tickets_create.sync(client=api, body=TicketRequest(
        group=group.id, site=sites.results[0].id, product=code, severity=SeverityEnum.MAJOR,
        description="专线中断（集成测试）", reporter_name="王工", callback_number="13900000001")), Ticket)
    assert ticket.product_code == code, (ticket.product_code, code)
    done["ticket"] = ticket.number

    # 5. alerts, credit orders and KPI figures
    alerts = expect(v1_alerts_list.sync(client=api), PaginatedAlertList)
    done["alerts"] = alerts.count
    orders = expect(v1_credit_orders_list.sync(client=api), PaginatedOrderList)
    done["credit_orders"] = orders.count
    kpi = expect(v1_kpi_retrieve.sync(client=api), KpiReport)
    done["kpi_month"] = kpi.month
    done["kpi_visit_rate"] = kpi.metrics.visit_rate
    print(json.dumps(done, ensure_ascii=False))


if __name__ == "__main__":
    sys.exit(main())
