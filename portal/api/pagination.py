from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination

from portal.ids import is_id


class StandardPagination(PageNumberPagination):
    """Pages of 50 (at most 500). `page` and `page_size` must be positive integers: a bad value is a 400
    naming the parameter, not silently the first page (issue 12 item 6)."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500

    def _positive(self, request, name: str) -> int | None:
        values = request.query_params.getlist(name)
        if not values:
            return None
        raw = values[0]
        if len(values) > 1 or not is_id(raw) or int(raw) < 1:
            raise ValidationError({name: [_("A positive whole number.")]})
        return int(raw)

    def get_page_size(self, request):
        size = self._positive(request, self.page_size_query_param)
        return self.page_size if size is None else min(size, self.max_page_size)

    def paginate_queryset(self, queryset, request, view=None):
        self._positive(request, self.page_query_param)
        return super().paginate_queryset(queryset, request, view)
