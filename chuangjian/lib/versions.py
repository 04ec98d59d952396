"""Optimistic locking of edit forms (decision 0015, extended by 0025).

A form carries the ``version`` of the object it was opened at; the action locks the
row, and if its version moved on (someone else saved in between) raises ``StaleEdit``
instead of overwriting. The page then shows the typed values in the fields and, under
each field that differs, what the other person saved; the form now carries the new
version, so saving again keeps one's own and reloading keeps theirs (409).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django import forms
from django.db import models
from django.db.models import F
from django.http import HttpRequest
from django.utils.translation import gettext as _


class StaleEdit(Exception):
    """The object was saved by someone else after the form was opened."""

    def __init__(self, current: models.Model) -> None:
        self.current = current
        self.message = _("该记录已被他人修改：输入框里是你填写的内容，红字是对方保存的内容。"
                         "保留你的版本请核对后再次保存；采用对方的版本请刷新页面。")
        super().__init__(self.message)


def check_version(current: models.Model, expected: int | None) -> None:
    """Refuse with ``StaleEdit`` when ``expected`` (sent by the form) is not the version
    of ``current`` (the row just locked). ``None``: the caller sent none, nothing checked."""
    if expected is not None and current.version != expected:  # type: ignore[attr-defined]
        raise StaleEdit(current)


def lock_version(obj: models.Model, expected: int | None) -> None:
    """Lock ``obj``'s row, refuse with ``StaleEdit`` if its version is not ``expected``,
    and bring ``obj.version`` up to date (the caller keeps working on its own object)."""
    model = type(obj)
    version = model.objects.select_for_update().values_list(  # type: ignore[attr-defined]
        "version", flat=True).get(pk=obj.pk)
    if expected is not None and version != expected:
        raise StaleEdit(model.objects.get(pk=obj.pk))  # type: ignore[attr-defined]
    obj.version = version  # type: ignore[attr-defined]


def bump(model: type[models.Model], *pks: int) -> None:
    """Count a change of these rows (one UPDATE), for writes that do not save the object."""
    model.objects.filter(pk__in=pks).update(version=F("version") + 1)  # type: ignore[attr-defined]


class VersionField(forms.IntegerField):
    """The hidden version of an edit form."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.HiddenInput)
        super().__init__(required=False, min_value=0, max_value=2_000_000_000, **kwargs)


def posted_version(request: HttpRequest) -> int | None:
    raw = request.POST.get("version", "")
    return int(raw) if raw.isdecimal() and len(raw) <= 9 else None


def show_stale(form: forms.Form, error: StaleEdit,
               theirs: Mapping[str, Callable[[Any], Any]] | None = None) -> None:
    """Put the refusal on ``form``: the message on top, under each differing field the
    value now on file, and the new version in the hidden field."""
    form.add_error(None, error.message)
    current = error.current
    data = form.data.copy()  # type: ignore[attr-defined]  # a QueryDict when bound
    data["version"] = str(current.version)  # type: ignore[attr-defined]
    form.data = data
    cleaned = getattr(form, "cleaned_data", {})
    for name, field in form.fields.items():
        if name == "version":
            continue
        read = (theirs or {}).get(name)
        if read is None and not hasattr(current, name):
            continue
        value = read(current) if read is not None else getattr(current, name)
        mine = cleaned.get(name, form.data.get(name))
        if _same(mine, value):
            continue
        field.theirs = _display(value)  # type: ignore[attr-defined]
    form.stale = True  # type: ignore[attr-defined]


def _same(mine: Any, theirs: Any) -> bool:
    if isinstance(mine, models.Model) and isinstance(theirs, models.Model):
        return mine.pk == theirs.pk
    return _display(mine) == _display(theirs)


def _display(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("是") if value else _("否")
    return str(value)
