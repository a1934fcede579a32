"""RFC 3339 timestamps and their format class, as the primary prints them.

The primary serializes every timestamp with chrono's ``SecondsFormat::AutoSi`` and ``Z``: the fraction is
omitted when it is zero, otherwise it has 3, 6 or 9 digits. Which precision a value has depends on the
*write path*, not on the field (CONTRACT-CORRECTIONS item 10): a SQLite default gives ms, ``CURRENT_TIMESTAMP``
gives s, Rust's ``Utc::now()`` gives ns, and AutoSi then drops trailing zero groups, so a ns value can print
with 6 or 3 digits, a ms value of ``.000`` with none. One field changes precision over its life (an attempt's
``updated_at`` is ms at creation, ns a moment later, s after a rebase).

Hence the decision used by ``mask_timestamp``: every AutoSi-``Z`` form (0, 3, 6 or 9 fraction digits) is one
format family, ``autosi``; precision differences inside it are legitimate and never a mismatch. Another
valid RFC 3339 spelling (a numeric offset such as ``+00:00``, 1-2/4-5/7-8 fraction digits, lower-case ``t``/
``z``) is family ``rfc3339``: still a timestamp, but a different format than the primary's, so it is
reported as a FORMAT difference. Anything that does not parse as RFC 3339 has no family.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from comparators.tokens import ts_token

__all__ = ["AUTOSI_FAST", "TimestampClass", "classify_timestamp", "mask_timestamp_bytes", "timestamp_token"]

_RFC3339 = re.compile(
    r"(?P<date>\d{4}-\d{2}-\d{2})[Tt](?P<time>\d{2}:\d{2}:\d{2})(?:\.(?P<fraction>\d+))?(?P<offset>[Zz]|[+-]\d{2}:\d{2})",
    re.ASCII,
)
_PRECISION_BY_DIGITS = {0: "s", 3: "ms", 6: "us", 9: "ns"}


@dataclass(frozen=True)
class TimestampClass:
    """``family`` is ``autosi`` (the primary's spelling) or ``rfc3339``; ``precision`` is what the
    printed fraction shows: ``s``, ``ms``, ``us``, ``ns``, or ``<n>-digit`` outside AutoSi."""

    family: str
    precision: str


def classify_timestamp(value: str) -> TimestampClass | None:
    """The format class of an RFC 3339 timestamp, or None if ``value`` is not one (including impossible
    dates such as month 13)."""
    match = _RFC3339.fullmatch(value)
    if match is None:
        return None
    fraction = match.group("fraction") or ""
    offset = match.group("offset")
    # datetime keeps microseconds only: validate the calendar with the fraction cut to 6 digits.
    micro = f".{fraction[:6].ljust(6, '0')}" if fraction else ""
    iso_offset = "+00:00" if offset in ("Z", "z") else offset
    try:
        datetime.fromisoformat(f"{match.group('date')}T{match.group('time')}{micro}{iso_offset}")
    except ValueError:
        return None
    digits = len(fraction)
    autosi = offset == "Z" and value[10] == "T" and digits in _PRECISION_BY_DIGITS
    precision = _PRECISION_BY_DIGITS.get(digits, f"{digits}-digit")
    return TimestampClass(family="autosi" if autosi else "rfc3339", precision=precision)


def timestamp_token(value: str, *, exact: bool = False) -> str | None:
    """``<ts>`` for the primary's AutoSi family, ``<ts:rfc3339>`` for another RFC 3339 spelling, None for
    a non-timestamp. With ``exact`` the printed precision is part of the token (``<ts:ms>``)."""
    found = classify_timestamp(value)
    if found is None:
        return None
    if found.family == "autosi":
        return ts_token(found.precision if exact else None)
    return ts_token(f"rfc3339-{found.precision}" if exact else "rfc3339")


# The common case, decided by one regex without a calendar lookup: AutoSi with a day that exists in every
# month (29-31 take the exact path). Bytes, because masks run on canonical JSON bytes.
AUTOSI_FAST = re.compile(
    rb"[0-9]{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|1[0-9]|2[0-8])T(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]"
    rb"(?:\.[0-9]{3}|\.[0-9]{6}|\.[0-9]{9})?Z"
)


def mask_timestamp_bytes(value: bytes, *, exact: bool = False) -> bytes:
    """The token for a timestamp given as (unescaped) bytes, or ``value`` unchanged if it is not one."""
    if not exact and AUTOSI_FAST.fullmatch(value):
        return b"<ts>"
    token = timestamp_token(value.decode("utf-8", "replace"), exact=exact)
    return value if token is None else token.encode()
