"""Today's date (UTC), read in one place: an audit as of any other day is a preview, never sealed evidence."""

from __future__ import annotations

import datetime as dt


def today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()
