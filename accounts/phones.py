"""Vietnamese mobile numbers: what people type (0912 345 678, +84 912.345.678, 84912345678) → +84912345678.

Only numbers of the mobile networks are accepted where a number must receive SMS: the
three-digit prefixes (after the leading 0) of Viettel, VinaPhone, MobiFone, Vietnamobile,
Gmobile, Itelecom and Reddi since the 2018 renumbering.
"""

import re

MOBILE_PREFIXES = frozenset(
    {
        # Viettel
        "032", "033", "034", "035", "036", "037", "038", "039", "086", "096", "097", "098",
        # VinaPhone
        "081", "082", "083", "084", "085", "088", "091", "094",
        # MobiFone
        "070", "076", "077", "078", "079", "089", "090", "093",
        # Vietnamobile
        "052", "056", "058", "092",
        # Gmobile
        "059", "099",
        # Itelecom
        "087",
        # Reddi
        "055",
    }
)  # fmt: skip

_SEPARATORS = re.compile(r"[\s.\-()]")


def normalise_mobile(raw: str) -> str | None:
    """+84 and the 9 national digits, or None when `raw` is not a Vietnamese mobile number."""
    digits = _SEPARATORS.sub("", raw or "")
    if digits.startswith("+84"):
        national = digits[3:]
    elif digits.startswith("84") and len(digits) == 11:
        national = digits[2:]
    elif digits.startswith("0"):
        national = digits[1:]
    else:
        return None
    national = national.removeprefix("0")  # "+84 0912…" as some people write it
    if len(national) != 9 or not national.isdigit() or "0" + national[:2] not in MOBILE_PREFIXES:
        return None
    return "+84" + national


def display_mobile(number: str) -> str:
    """+84912345678 → 0912 345 678 (how Vietnamese people read their number)."""
    if number.startswith("+84") and len(number) == 12:
        national = "0" + number[3:]
        return f"{national[:4]} {national[4:7]} {national[7:]}"
    return number


def masked_mobile(number: str) -> str:
    """Enough for the owner to recognise their number, not enough for anyone else: 0912 *** 678."""
    shown = display_mobile(number)
    return f"{shown[:4]} *** {shown[-3:]}" if len(shown) >= 10 else "***"
