"""Page-numbered lists that stay fast on the last pages of a large table (issue 3).

`OFFSET n` makes PostgreSQL walk and discard n rows: the last page of a 100 000-group province
costs a walk of the whole index. A page in the second half of the list is read instead from the
other end — the same query in reverse order with a small offset — and turned round in Python. The
pages are the same as Django's Paginator gives; only the SQL differs."""
from __future__ import annotations

from django.core.paginator import Page, Paginator


class TwoEndedPaginator(Paginator):
    def page(self, number) -> Page:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = min(bottom + self.per_page, self.count)
        if top + self.orphans >= self.count:
            top = self.count
        qs = self.object_list
        if bottom > self.count // 2 and hasattr(qs, "reverse") and getattr(qs, "ordered", False):
            rows = list(qs.reverse()[self.count - top:self.count - bottom])
            rows.reverse()
            return self._get_page(rows, number, self)
        return self._get_page(qs[bottom:top], number, self)
