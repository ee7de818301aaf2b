"""The officials' panel (/staff/) and the staff API (/api/v1/staff/): everything an agency's staff see.

views (HTML pages) and api (DRF) are thin: they parse input with forms / serializers, read through
selectors (always scoped to the user's agencies) and write through qa.services. URLs and template
names are those of before the package (staff:*, api-staff-*, templates/staff/).
"""
