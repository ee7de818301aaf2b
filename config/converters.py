"""Path converter for database ids: `<id:pk>` is `<int:pk>` bounded to what a 64-bit key can hold.

Django's `int` matches any run of digits; a 40-digit id then reaches the database, where SQLite cannot bind it
(OverflowError, a 500). Eighteen digits always fit; a longer number does not match, so it is a 404 like any
unknown URL (JSON under /api/).
"""

ID_MAX_DIGITS = 18


class IdConverter:
    regex = f"[0-9]{{1,{ID_MAX_DIGITS}}}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


# How the schema describes it (SPECTACULAR_SETTINGS["PATH_CONVERTER_OVERRIDES"]).
ID_SCHEMA = {"type": "integer", "minimum": 0, "maximum": 10**ID_MAX_DIGITS - 1}
