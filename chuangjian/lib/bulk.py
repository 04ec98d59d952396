"""``update_each``: ``bulk_update`` as one prepared UPDATE executed for every row.

Django's ``QuerySet.bulk_update`` writes one statement with a ``CASE WHEN id = … THEN …``
over every row for each column. Building those expressions costs ~4 ms of Python for
one to three rows (measured in a submission, which updates a value and its month,
quarter and year rollups), and was most of a small refresh's writing of result rows. ``update_each`` prepares
``UPDATE table SET a = %s, b = %s WHERE id = %s`` once and executes it for each row
(``executemany``: one round trip on PostgreSQL's pipeline), with each value prepared as
the ORM prepares it for saving (``Field.get_db_prep_save``). Used by a submission (its
values and rollups) and by the refresh of results (``assessment.runner._update_rows``).
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection, models


def update_each(model: type[models.Model], rows: Sequence[models.Model],
                fields: Sequence[str]) -> None:
    """Save ``fields`` of every one of ``rows`` (instances of ``model`` with a primary key),
    as ``model.objects.bulk_update(rows, fields)`` does, without signals or ``save()``."""
    if not rows:
        return
    by_name = {f.name: f for f in model._meta.concrete_fields}
    unknown = [name for name in fields if name not in by_name]
    if unknown:
        raise ValueError(f"{model.__name__} has no column {', '.join(unknown)}")
    chosen = [by_name[name] for name in fields]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(f.column)} = %s" for f in chosen)
    pk = model._meta.pk
    assert pk is not None  # noqa: S101 - every concrete model has one
    params = [(*(f.get_db_prep_save(getattr(row, f.attname), connection) for f in chosen),
               row.pk) for row in rows]
    with connection.cursor() as cursor:
        cursor.executemany(f"UPDATE {quote(model._meta.db_table)} SET {assignments} "  # noqa: S608 - names from the model
                           f"WHERE {quote(pk.column)} = %s", params)
