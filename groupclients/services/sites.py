from __future__ import annotations

from typing import Any

from django.db import transaction

from ..models import GroupCustomer, Site


@transaction.atomic
def site_create(*, group: GroupCustomer, by, **fields: Any) -> Site:
    """Add a site with its local AM and MM — a row of the three-in-one table (GC-5)."""
    site = Site(group=group, **fields)
    site.full_clean()
    site.save()
    return site


@transaction.atomic
def site_update(*, site: Site, by, **fields: Any) -> Site:
    for k, v in fields.items():
        setattr(site, k, v)
    site.full_clean()
    site.save()
    return site
