"""Small template helpers of the statistics pages."""

from django import template

register = template.Library()


@register.filter
def get_item(mapping: dict, key: str):
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.filter
def repeat(text: str, times: int) -> str:
    return str(text) * int(times or 0)
