from __future__ import annotations

from typing import Any

from django.db import transaction

from ..models import GroupCustomer, Site
from .ownership import site_check


@transaction.atomic
def site_create(*, group: GroupCustomer, by, **fields: Any) -> Site:
    """Add a site with its local AM and MM — a row of the three-in-one table (GC-5); the local pair
    works in the site's branch (`ownership.site_check`)."""
    site_check(by=by, site=None, group=group, fields=fields)
    site = Site(group=group, **fields)
    site.full_clean()
    site.save()
    return site


@transaction.atomic
def site_update(*, site: Site, by, **fields: Any) -> Site:
    """Change a site. It stays with its group; a new local AM / MM works in its branch (issue 12 item 2)."""
    site_check(by=by, site=site, group=site.group, fields=fields)
    fields.pop("group", None)
    for k, v in fields.items():
        setattr(site, k, v)
    site.full_clean()
    site.save()
    return site
