"""Brazilian display formats (SPEC §13): dates dd/mm/aaaa and times HH:MM, everywhere.

Django's pt_BR long formats ("10 de novembro de 2026 às 10:05") are what the admin's read-only date fields and
any `{{ value }}` of a date printed, beside the portal's own `|date:"d/m/Y H:i"`. Only what differs from
django/conf/locale/pt_BR/formats.py is here; the rest (input formats, separators) comes from Django's module.
"""

DATE_FORMAT = "d/m/Y"
DATETIME_FORMAT = "d/m/Y H:i"
TIME_FORMAT = "H:i"
SHORT_DATE_FORMAT = "d/m/Y"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
YEAR_MONTH_FORMAT = "m/Y"
MONTH_DAY_FORMAT = "d/m"
