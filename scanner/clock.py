"""The moment a scan is as of: SOURCE_DATE_EPOCH (reproducible builds) when it is set, else the clock. The
command line reads the variable (it alone reads the environment) and hands its value here."""
from __future__ import annotations

import datetime

from scanner import terminal
from scanner.errors import SovscanError

EPOCH_VARIABLE = "SOURCE_DATE_EPOCH"


def source_date(epoch: str) -> datetime.datetime | None:
    """SOURCE_DATE_EPOCH's moment, or None when it is empty."""
    epoch = epoch.strip()
    if not epoch:
        return None
    try:   # ASCII digits only (str.isdigit takes '¹²³'), and a moment a date can hold (not the year 33658)
        if not (epoch.isascii() and epoch.isdigit()):
            raise ValueError(epoch)
        return datetime.datetime.fromtimestamp(int(epoch), datetime.timezone.utc)
    except (ValueError, OverflowError, OSError):
        raise SovscanError(f"SOURCE_DATE_EPOCH: {terminal.inert(epoch)[:40]!r} is not a number of seconds since 1970 "
                           "up to the year 9999") from None


def fixed_date(epoch: str) -> datetime.date | None:
    """The date the scan judges by (waiver expiry, version windows) and prints: SOURCE_DATE_EPOCH's, else None
    (today)."""
    moment = source_date(epoch)
    return moment.date() if moment is not None else None


def now(epoch: str) -> str:
    """The scan's start or end in UTC; SOURCE_DATE_EPOCH fixes it."""
    moment = source_date(epoch) or datetime.datetime.now(datetime.timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S")
