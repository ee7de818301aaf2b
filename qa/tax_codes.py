"""Vietnamese tax codes (mã số thuế): the format and the check digit, in one place for forms, API and staff.

A tax code has 10 digits, the tenth a check digit over the first nine: weights 31, 29, 23, 19, 17, 13,
7, 5, 3; check digit = 10 − (sum mod 11), and a result of 10 means the first nine digits are not a
valid code. A dependent unit (branch) adds a dash and a 3-digit number, 001–999. For example
0300588569: 0·31+3·29+0·23+0·19+5·17+8·13+8·7+5·5+6·3 = 375, 375 mod 11 = 1, 10 − 1 = 9. ✓
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

WEIGHTS = (31, 29, 23, 19, 17, 13, 7, 5, 3)
_FORMAT = re.compile(r"^(\d{10})(?:-(\d{3}))?$")


def check_digit(first_nine: str) -> int | None:
    """The tenth digit for these nine digits, or None when no tenth digit can make them valid."""
    digit = 10 - sum(int(d) * w for d, w in zip(first_nine, WEIGHTS, strict=True)) % 11
    return None if digit == 10 else digit


def normalise_tax_code(value: str) -> str:
    """Spaces dropped and any dash (–, —) made a hyphen: '0300588569 – 001' → '0300588569-001'."""
    return re.sub(r"\s+", "", value or "").replace("–", "-").replace("—", "-")


def validate_tax_code(value: str) -> str:
    """The normalised tax code, or ValidationError with a message that says what is wrong."""
    code = normalise_tax_code(value)
    match = _FORMAT.match(code)
    if match is None:
        raise ValidationError(
            _("A tax code has 10 digits, or 10 digits, a dash and 3 digits (e.g. 0201234569-001)."), code="format"
        )
    main, branch = match.groups()
    if check_digit(main[:9]) != int(main[9]) or branch == "000":
        raise ValidationError(
            _("This is not a valid tax code: check the number on the tax registration certificate."),
            code="check_digit",
        )
    return code
