"""Gapmap's one way of showing dates (issue 14): "3 Dec 2026" and "3 Dec 2026, 14:05", in the
viewer's time zone. ISO 8601 stays where machines read it (CSV, JSON, <time datetime>, inputs).

Django applies the locale's formats over settings.DATE_FORMAT and friends (localization is always
on), and en_GB's are "d/m/Y" and "2:30 p.m."; FORMAT_MODULE_PATH puts this module first. Input
formats are not set here, so forms keep parsing what en_GB parses."""

DATE_FORMAT = "j M Y"
SHORT_DATE_FORMAT = "j M Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j M Y, H:i"
SHORT_DATETIME_FORMAT = "j M Y, H:i"
