"""Import the commune-level units (xã, phường, đặc khu) from the official list, as CSV.

Columns: code, name, type, province, valid_from, valid_to and, optionally, merged_into (the code of the unit
that took it over). Dates as dd/mm/yyyy or yyyy-mm-dd. Everything is checked first; one bad line refuses the
whole file with every problem named, and nothing is saved.
"""

import csv
import datetime
import io

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from qa.text import nfc

from .models import AdministrativeUnit, UnitType

_TYPES = {
    "xa": UnitType.COMMUNE,
    "xã": UnitType.COMMUNE,
    "commune": UnitType.COMMUNE,
    "phuong": UnitType.WARD,
    "phường": UnitType.WARD,
    "ward": UnitType.WARD,
    "dac_khu": UnitType.SPECIAL_ZONE,
    "đặc khu": UnitType.SPECIAL_ZONE,
    "special_zone": UnitType.SPECIAL_ZONE,
}
REQUIRED = ["code", "name", "type", "province"]
MAX_BYTES = 5 * 1024 * 1024


def _date(value: str) -> datetime.date | None:
    value = value.strip()
    if not value:
        return None
    for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    raise ValueError(value)


def units_import(*, data: bytes) -> dict[str, int]:
    """Add or update units by code; returns {"created": n, "updated": n}. Raises ValidationError, saving nothing."""
    if len(data) > MAX_BYTES:
        raise ValidationError(_("The file is too large (at most 5 MB)."))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError(_("Save the file as CSV in UTF-8.")) from None
    reader = csv.DictReader(io.StringIO(nfc(text)))
    columns = [name.strip().lower() for name in reader.fieldnames or []]
    missing = [name for name in REQUIRED if name not in columns]
    if missing:
        raise ValidationError(_("The file needs the columns: %(columns)s.") % {"columns": ", ".join(missing)})
    errors: list[str] = []
    rows = []
    seen: set[str] = set()
    for number, raw in enumerate(reader, start=2):
        row = {(key or "").strip().lower(): (value or "").strip() for key, value in raw.items()}
        code, name = row["code"], row["name"]
        unit_type = _TYPES.get(row["type"].lower())
        if not code or not name or not row["province"]:
            errors.append(_("Line %(line)d: code, name and province are required.") % {"line": number})
            continue
        if unit_type is None:
            errors.append(
                _("Line %(line)d: the type must be xã, phường or đặc khu (not “%(value)s”).")
                % {"line": number, "value": row["type"]}
            )
            continue
        if code in seen:
            errors.append(_("Line %(line)d: the code %(code)s appears twice.") % {"line": number, "code": code})
            continue
        seen.add(code)
        try:
            valid_from, valid_to = _date(row.get("valid_from", "")), _date(row.get("valid_to", ""))
        except ValueError as error:
            errors.append(_("Line %(line)d: “%(value)s” is not a date.") % {"line": number, "value": error.args[0]})
            continue
        if valid_from and valid_to and valid_to < valid_from:
            errors.append(_("Line %(line)d: the unit ends before it starts.") % {"line": number})
            continue
        rows.append((number, code, name, unit_type, row["province"], valid_from, valid_to, row.get("merged_into", "")))
    known = seen | set(AdministrativeUnit.objects.values_list("code", flat=True))
    for number, code, *_rest, merged_into in rows:
        if merged_into and (merged_into not in known or merged_into == code):
            errors.append(
                _("Line %(line)d: the unit %(code)s it merged into is not in the list.")
                % {"line": number, "code": merged_into}
            )
    if errors:
        raise ValidationError(errors)
    created = updated = 0
    with transaction.atomic():
        for _number, code, name, unit_type, province, valid_from, valid_to, _merged in rows:
            _unit, was_created = AdministrativeUnit.objects.update_or_create(
                code=code,
                defaults={
                    "name": name,
                    "unit_type": unit_type,
                    "province": province,
                    "valid_from": valid_from,
                    "valid_to": valid_to,
                },
            )
            created += was_created
            updated += not was_created
        units = {unit.code: unit for unit in AdministrativeUnit.objects.all()}
        for _number, code, *_rest, merged_into in rows:
            if merged_into:
                AdministrativeUnit.objects.filter(code=code).update(successor=units[merged_into])
    return {"created": created, "updated": updated}
