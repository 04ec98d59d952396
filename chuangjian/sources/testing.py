"""For tests: the stale marks writers left (``sources.changed``)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Max


class Marks:
    """The marks written since this object was made, as (unit id, codes, day), in order."""

    def __init__(self) -> None:
        from chuangjian.sources.models import Change

        self.after = Change.objects.aggregate(top=Max("pk"))["top"] or 0

    def __call__(self) -> list[tuple[int, frozenset[str], dt.date]]:
        from chuangjian.sources.models import Change

        return [(u, frozenset(c), d) for u, c, d in Change.objects.filter(pk__gt=self.after)
                .order_by("pk").values_list("unit_id", "element_codes", "day")]
