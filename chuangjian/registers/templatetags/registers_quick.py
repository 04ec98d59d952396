"""The quick-entry card of a person's page: a BP reading or a service record in at most
three taps after finding the person (the person page includes it)."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.inclusion_tag("registers/_quick_entry.html", takes_context=True)
def quick_entry(context: dict[str, Any], person: Any) -> dict[str, Any]:
    from chuangjian.registers.record_pages import quick_forms

    request = context["request"]
    return {"person": person, "csrf_token": context.get("csrf_token"),
            **quick_forms(request, person)}
