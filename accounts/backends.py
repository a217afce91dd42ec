"""Authentication backend: Django's ModelBackend, reading with the user, in the same query, what
every scoped page asks next (ORG-3): the user's organisation unit and their role codes. Saves two
queries on every request (issue 3 keeps pages ≤ 15 queries)."""
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import Aggregate, CharField, OuterRef, Subquery
from django.db.models.functions import Cast


class CodeList(Aggregate):
    """Comma-separated values of a column (PostgreSQL string_agg, SQLite group_concat)."""

    function = "STRING_AGG"
    template = "%(function)s(%(expressions)s, ',')"
    output_field = CharField()

    def as_sqlite(self, compiler, connection, **extra):
        return super().as_sql(compiler, connection, function="GROUP_CONCAT", **extra)


def with_role_codes(qs):
    """Annotate users with `role_codes_csv`, which User.role_codes reads instead of querying, and
    `branch_unit_ids_csv`, the organisation nodes of the user's branch (accounts.scoping)."""
    from .models import OrgUnit

    through = get_user_model().roles.through
    codes = (through.objects.filter(user_id=OuterRef("pk")).order_by().values("user_id")
             .annotate(c=CodeList("role__code")).values("c"))
    units = (OrgUnit.objects.filter(branch_id=OuterRef("unit__branch_id")).order_by().values("branch_id")
             .annotate(c=CodeList(Cast("id", CharField()))).values("c"))
    return qs.annotate(role_codes_csv=Subquery(codes, output_field=CharField()),
                       branch_unit_ids_csv=Subquery(units, output_field=CharField()))


class PortalBackend(ModelBackend):
    def get_user(self, user_id):
        User = get_user_model()
        user = with_role_codes(User._default_manager.select_related("unit")).filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
