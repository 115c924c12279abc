"""Dates as packs, waiver files and the expression language write them: YYYY-MM-DD."""

from __future__ import annotations

import datetime as dt
import re

ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def parse_iso_date(text: str) -> dt.date | None:
    """The date written YYYY-MM-DD, or None: one parse shared by is_date() and date()."""
    if ISO_DATE.fullmatch(text) is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None
