"""Template filters of the public archive."""

from django import template

from ..search.counts import rounded_estimate as _rounded_estimate

register = template.Library()


@register.filter
def rounded_estimate(count: int) -> int:
    """An estimated count to two significant digits ("khoảng 67.000"): an estimate should not look exact."""
    return _rounded_estimate(int(count))
