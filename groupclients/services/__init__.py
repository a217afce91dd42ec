"""Writes for the customer file. Every view, form, API view, import and task goes through these."""
from .contacts import contact_create, contact_reveal, contact_update, vip_designate  # noqa: F401
from .groups import (  # noqa: F401
    group_change_status,
    group_create,
    group_update,
    opportunity_add_update,
    opportunity_create,
    opportunity_decide,
)
from .members import member_create, member_update, members_bulk_upsert  # noqa: F401
from .quality import contact_minimum_set, group_refresh_quality, groups_refresh_quality_all  # noqa: F401
from .sites import site_create, site_update  # noqa: F401
