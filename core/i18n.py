"""Translations formatted when they are shown, not when a module is imported."""

from typing import Any

from django.utils.functional import lazy


def _format(message: Any, params: dict[str, Any]) -> str:
    return str(message) % params


_format_lazy = lazy(_format, str)


def lazy_format(message: Any, **params: Any) -> str:
    """`message % params` as a lazy str, worked out each time the text is used, in the language active then.

    `gettext_lazy("… %(max)d …") % {...}` at class level forces the translation once, at import, so a
    form's help text stays in the language of whichever request imported it first. Django's
    format_lazy takes `{}` placeholders; this keeps the catalogue's `%(name)d` ones unchanged.
    """
    return _format_lazy(message, params)
