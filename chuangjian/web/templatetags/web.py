"""Small display helpers: unit badges, audit data, query strings."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from chuangjian.lib import personal
from chuangjian.org.levels import level_label
from chuangjian.org.models import Role
from chuangjian.web.labels import DATA_LABELS, action_label

register = template.Library()


@register.filter
def masked_phone(value: str | None) -> str:
    """A person's phone as the people pages show it: ``138****5678`` (personal data)."""
    return personal.mask_phone(value) or "—"


@register.filter
def level_name(code: str) -> str:
    return level_label(code)


@register.filter
def role_name(code: str) -> str:
    return str(Role(code).label) if code in Role.values else code


@register.filter
def method_name(method: str) -> str:
    """An indicator's 测评方法 (数据, 实地考察 …) in the reader's language."""
    from chuangjian.standards.wording import method_words

    return method_words(method)


@register.filter
def action_name(code: str) -> str:
    return action_label(code)


@register.inclusion_tag("web/_unit_badges.html")
def unit_badges(unit: Any, closed: bool | None = None) -> dict[str, Any]:
    return {"u": unit, "closed": unit.is_closed if closed is None else closed}


def _value(key: str, value: Any) -> str:
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if value is None or value == "":
        return "—"
    if key == "level":
        return level_label(str(value))
    if key == "role":
        return str(Role(value).label) if value in Role.values else str(value)
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    return str(value)


@register.simple_tag
def audit_data(data: Any) -> SafeString:
    """The JSON data of an audit entry as readable label–value pairs."""
    if not isinstance(data, dict) or not data:
        return format_html('<span class="text-body-tertiary">{}</span>', "—")
    parts: list[SafeString] = []
    for key, value in data.items():
        label = str(DATA_LABELS.get(key, key))
        if key == "changes" and isinstance(value, dict):
            changes = format_html_join(
                "", '<span class="audit-kv"><span class="k">{}</span> {} <i class="bi bi-arrow-right"></i> {}</span>',
                ((str(DATA_LABELS.get(k, k)), _value(k, v[0] if isinstance(v, list) else v),
                  _value(k, v[1] if isinstance(v, list) and len(v) > 1 else ""))
                 for k, v in value.items()))
            parts.append(changes)
            continue
        parts.append(format_html('<span class="audit-kv"><span class="k">{}</span> {}</span>',
                                 label, _value(key, value)))
    return format_html_join("", "{}", ((p,) for p in parts))


@register.simple_tag(takes_context=True)
def query_with(context: Any, **kwargs: Any) -> str:
    """The current query string with some parameters replaced (for pagination links)."""
    params = context["request"].GET.copy()
    for key, value in kwargs.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = value
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"


@register.filter
def minutes(delta: Any) -> int:
    """Whole minutes of a timedelta (the lockout cool-off); settings' value if missing."""
    if delta is None:
        from django.conf import settings

        return round(float(settings.AXES_COOLOFF_TIME) * 60)
    return round(delta.total_seconds() / 60)
