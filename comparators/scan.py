"""Fast scans of canonical JSON bytes for the volatile values the document-wide masks replace.

Python's regex engine tries a pattern at every position unless it starts with a literal; patterns that
start with a character class (a hex digit, a digit) crawl through a 100 KB body in milliseconds. Every scan
here starts at a literal (the first dash of a UUID, the quote of a member name) or uses C-speed byte
operations (``translate`` + ``find``), and hands matches back as pieces to replace in one list pass instead
of a Python callback per match. Measured on a 110 KB list of 200 tasks: 0.1-0.3 ms per scan instead of 4-9 ms.

Only values inside JSON strings can match (see ``normalize.py``): a UUID, a 40-hex SHA with a letter or a
``"name":"`` member cannot occur in JSON syntax outside a string.

Most scans also have a C form (``comparators/_scan.c``, built by ``setup.py`` where a C compiler is): one
pass at memory speed instead of a regex pass or a translate + find loop, 4-50x faster per scan on the
bench bodies. The public names here are the C forms when built; the ``*_py`` forms are the fallback and
the reference that ``tests/comparators/test__scan.py`` holds the C forms to.
"""

from __future__ import annotations

import itertools
import operator
import re
from collections.abc import Callable, Collection, Sequence

__all__ = [
    "NATIVE",
    "TS_PLAIN",
    "MemberStrings",
    "StringValues",
    "all_uuids",
    "contains",
    "has_long_integer",
    "locate_change",
    "replace_at_boundaries",
    "replace_hex_runs",
    "split_uuids",
    "uuids_in_step",
]

try:  # the C forms of these scans (comparators/_scan.c; setup.py builds it when a C compiler is there)
    from comparators import _scan as _native
except ImportError:  # pragma: no cover - only without a C compiler
    _native = None  # type: ignore[assignment]

NATIVE = _native is not None

# From the first dash: lookbehinds check the 8 hex digits before it and the boundary before those.
_UUID_FROM_DASH = re.compile(
    rb"(-(?<=[0-9A-Fa-f]{8}-)(?<![0-9A-Fa-f-][0-9A-Fa-f]{8}-)[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12})"
    rb"(?![0-9A-Fa-f-])"
)
_HEX_CLASSES = bytes(
    ord("x") if chr(byte) in "0123456789abcdefABCDEF" else ord("-") if byte == ord("-") else ord(".")
    for byte in range(256)
)
_UUID_CLASSES = b"xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx"
_PLUS_36, _MINUS_36 = (36).__add__, (-36).__add__
# Every byte but [A-Za-z0-9._-]: deleting them from a text leaves only bytes that would continue a name.
_BOUNDARY_BYTES = bytes(range(256)).translate(
    None, b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-"
)
_LAST_8 = operator.itemgetter(slice(-8, None))
_ALL_BUT_LAST_8 = operator.itemgetter(slice(None, -8))
_DIGITS_TO_ZERO = bytes.maketrans(b"0123456789", b"0" * 10)
_LOWER_HEX_TO_X = bytes(ord("x") if chr(c) in "0123456789abcdef" else ord(".") for c in range(256))


def split_uuids_py(data: bytes) -> list[bytes]:
    """``[text, uuid, text, uuid, ..., text]``: UUIDs at the odd positions; replace them in place and
    ``b"".join`` the list. (``split_uuids`` is the C form of this when it is built.)"""
    parts = _UUID_FROM_DASH.split(data)
    if len(parts) == 1:
        return parts
    # Each text but the last ends with the next UUID's first 8 hex digits (the lookbehind saw them): move
    # them over, with C-level maps (no Python call per UUID).
    texts = parts[0:-1:2]
    parts[1::2] = list(map(bytes.__add__, map(_LAST_8, texts), parts[1::2]))
    parts[0:-1:2] = list(map(_ALL_BUT_LAST_8, texts))
    return parts


split_uuids: Callable[[bytes], list[bytes]] = _native.split_uuids if _native is not None else split_uuids_py


def uuids_in_step_py(texts: list[bytes], text: bytes) -> list[bytes] | None:
    """The UUIDs of ``text`` if it is ``texts`` joined with a UUID between each two (``split_uuids`` of
    one document gives ``texts`` at its even positions), else None.

    Cheaper than splitting ``text``: the UUIDs are cut out where the other document's are (a UUID is 36
    bytes), the rest must be its text byte for byte, and each cut must have a UUID's shape. ``split_uuids``
    would split ``text`` exactly so: it decides by character classes only (hex digit, dash, other), and
    those are the other document's everywhere. ``uuids_in_step`` is the C form of this when built."""
    ends = list(itertools.accumulate(map(_PLUS_36, map(len, texts[:-1]))))
    found = list(map(text.__getitem__, map(slice, map(_MINUS_36, ends), ends)))
    rebuilt = [piece for pair in itertools.zip_longest(texts, found) for piece in pair if piece is not None]
    if b"".join(rebuilt) != text or not all_uuids(found):
        return None
    return found


def all_uuids(values: Collection[bytes]) -> bool:
    """Each value is a whole UUID (any case), checked for all of them at once in C."""
    return b"".join(values).translate(_HEX_CLASSES) == _UUID_CLASSES * len(values)


uuids_in_step: Callable[[list[bytes], bytes], list[bytes] | None] = (
    _native.uuids_in_step if _native is not None else uuids_in_step_py
)


def replace_at_boundaries_py(data: bytes, literal: bytes, token: bytes) -> bytes | None:
    """Each occurrence of ``literal`` (leftmost first, without overlaps) replaced by ``token`` when every
    one ends at a path boundary (no ``[A-Za-z0-9._-]`` after it); None when one does not. The C form of
    this is ``replace_at_boundaries`` when built."""
    parts = data.split(literal)
    if len(parts) == 1:
        return data
    heads = b"".join([part[:1] for part in parts[1:]])
    return token.join(parts) if not heads.translate(None, _BOUNDARY_BYTES) else None


replace_at_boundaries: Callable[[bytes, bytes, bytes], bytes | None] = (
    _native.replace_at_boundaries if _native is not None else replace_at_boundaries_py
)


def contains_py(data: bytes, literal: bytes) -> bool:
    """``literal in data``, quicker for a literal whose first byte is rare: a one-byte search is memchr
    (about 1 µs on 100 KB), a longer one is not (30-70 µs). ``contains`` is the C form of this when built."""
    return literal[:1] in data and literal in data


contains: Callable[[bytes, bytes], bool] = _native.contains if _native is not None else contains_py


# Where two canonical JSON documents differ, when it is one value (comparators.json_diff.diff_canonical);
# there is no Python form: without the C one, the whole documents are compared (same differences).
locate_change: Callable[[bytes, bytes], tuple[int, int, int, list[int | tuple[int, int]]] | None] | None = (
    _native.locate_change if _native is not None else None
)


def has_long_integer_py(data: bytes) -> bool:
    """True when 19 or more digits follow each other somewhere (an integer that may not fit 64 bits).
    ``has_long_integer`` is the C form of this when built."""
    return data.translate(_DIGITS_TO_ZERO).find(b"0" * 19) != -1


has_long_integer: Callable[[bytes], bool] = _native.has_long_integer if _native is not None else has_long_integer_py


def replace_hex_runs(data: bytes, length: int, replacement: bytes, *, max_digit_run: int | None = None) -> bytes:
    """``replace_hex_runs_py`` in C when it is built."""
    if _native is not None:
        return _native.replace_hex_runs(data, length, replacement, -1 if max_digit_run is None else max_digit_run)
    return replace_hex_runs_py(data, length, replacement, max_digit_run=max_digit_run)


def replace_hex_runs_py(data: bytes, length: int, replacement: bytes, *, max_digit_run: int | None = None) -> bytes:
    """Replace runs of exactly ``length`` lower-case hex digits that contain a letter (a git SHA; the
    letter keeps a long decimal number out). With ``max_digit_run``, a run holding more decimal digits in
    a row than that is left alone (in unparsed JSON such a run may be a number like ``1…e…``)."""
    marks = data.translate(_LOWER_HEX_TO_X)
    run = b"x" * length
    start = marks.find(run)
    if start == -1:
        return data
    too_many = None if max_digit_run is None else b"0" * (max_digit_run + 1)
    pieces = []
    last = 0
    while start != -1:
        end = marks.find(b".", start + length)  # where the run of hex digits stops
        end = len(marks) if end == -1 else end
        found = data[start:end]
        digits_ok = too_many is None or found.translate(_DIGITS_TO_ZERO).find(too_many) == -1
        if end - start == length and not found.isdigit() and digits_ok:
            pieces += [data[last:start], replacement]
            last = end
        start = marks.find(run, end)
    pieces.append(data[last:])
    return b"".join(pieces)


# The values the "any precision" mask turns into the plain <ts> token, decided by one regex so that a C-level
# substitution can replace them all (no Python call per value): AUTOSI_FAST (days 01-28 of any year, as the
# mask itself decides them first) and days 29-31 of the months that have them in years other than 0000
# (datetime has no year 0, so timestamps.py rejects those). Only 29 February is left to the per-value path,
# which knows leap years. tests/comparators/test_normalize.py checks the regex against the mask itself.
TS_PLAIN = (
    rb"(?:[0-9]{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|1[0-9]|2[0-8])"
    rb"|(?!0000)[0-9]{4}-(?:(?:0[13-9]|1[0-2])-(?:29|30)|(?:0[13578]|1[02])-31))"
    rb"T(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\.[0-9]{3}(?:[0-9]{3}(?:[0-9]{3})?)?)?Z"
)


def _all_plain(shape: bytes) -> Callable[[list[bytes]], bool]:
    """Whether every value (none holds a quote) entirely matches ``shape``: one C-level check of all of
    them at once (the C form for TS_PLAIN, a regex over the joined values otherwise)."""
    if shape == TS_PLAIN and _native is not None:
        return _native.all_ts_plain
    every = re.compile(b"(?:" + shape + b'")*')
    return lambda values: every.fullmatch(b'"'.join(values) + b'"') is not None


class MemberStrings:
    """Every member ``"name":"value"`` (at any depth) of the given names whose value is a string without
    escapes; ``replace`` passes each value through a function.

    Whitespace around the colon is allowed, so the members found in unparsed JSON are exactly those found
    in its canonical (compact) form, as long as no key is spelled with a ``\\u`` escape
    (``comparators.fastpath`` masks raw bodies with this and hands the result to the exact path).

    ``plain=(shape, token)``: when every value entirely matches ``shape``, all become ``token`` without a
    Python call per value (one C-level check of all values at once; 400 calls cost 0.8 ms on a 200-task
    list). The caller promises that the function maps exactly such values to ``token``.
    """

    def __init__(self, names: Sequence[str], *, plain: tuple[bytes, bytes] | None = None) -> None:
        encoded = sorted({name.encode() for name in names})
        # Anchor the search at a literal: the names' common ending plus the key's closing quote (``_at"``
        # for the timestamp members); then one fixed-width lookbehind per name says which member it is,
        # and that its opening quote is not an escaped one (so it is a key, not text inside a string: in
        # valid JSON a string followed by a colon is a key).
        suffix = _common_suffix(encoded)
        which = b"|".join(rb'(?<=[^\\]"' + re.escape(name) + rb'")' for name in encoded)
        # split() gives text, head (key end, colon, opening quote), value, text, ...; the closing quote
        # stays in the text after.
        self._pattern = re.compile(
            b"(" + re.escape(suffix) + rb'"(?:' + which + rb')[ \t\r\n]*:[ \t\r\n]*")([^"\\]*)(?=")'
        )
        self._split: Callable[[bytes], list[bytes]] = self._pattern.split
        self._plain = None if plain is None else (_all_plain(plain[0]), plain[1])
        self._replace_plain: Callable[[bytes], bytes | None] | None = None
        if _native is not None:  # the same split in C (one memmem pass, no regex engine)
            native, names_tuple = _native, tuple(encoded)
            self._split = lambda data: native.split_members(data, suffix, names_tuple)
            if plain is not None and plain[0] == TS_PLAIN:  # split, check and join in one C call
                token = plain[1]
                self._replace_plain = lambda data: native.replace_plain_members(data, suffix, names_tuple, token)

    def split(self, data: bytes) -> list[bytes]:
        """``[text, head, value, text, ...]``: the head is the key's end, the colon and the value's opening
        quote; the value's closing quote begins the text after it."""
        return self._split(data)

    def replace(self, data: bytes, value: Callable[[bytes], bytes]) -> bytes:
        if self._replace_plain is not None and (replaced := self._replace_plain(data)) is not None:
            return replaced
        parts = self._split(data)
        if len(parts) == 1:
            return data
        found = parts[2::3]
        if self._plain is not None and self._plain[0](found):
            parts[2::3] = [self._plain[1]] * len(found)
        else:
            parts[2::3] = list(map(value, found))
        return b"".join(parts)


class StringValues:
    """Every string (member value, array element, key or the whole document) whose entire content
    matches ``shape`` (a regex that cannot match quotes or backslashes). ``plain`` as for ``MemberStrings``."""

    def __init__(self, shape: bytes, *, plain: tuple[bytes, bytes] | None = None) -> None:
        self._whole = re.compile(b'"(' + shape + b')"')
        self._pattern = re.compile(rb'"(?<=[{,:\[]")(' + shape + rb')(?=")')
        self._plain = None if plain is None else (_all_plain(plain[0]), b'"' + plain[1])

    def replace(self, data: bytes, value: Callable[[bytes], bytes]) -> bytes:
        if data.startswith(b'"') and self._whole.fullmatch(data):
            return b'"' + value(data[1:-1]) + b'"'
        parts = self._pattern.split(data)
        if len(parts) == 1:
            return data
        found = parts[1::2]
        if self._plain is not None and self._plain[0](found):
            parts[1::2] = [self._plain[1]] * len(found)
        else:
            parts[1::2] = [b'"' + value(part) for part in found]  # the match began at the opening quote
        return b"".join(parts)


def _common_suffix(names: list[bytes]) -> bytes:
    shortest = min(names, key=len)
    size = 0
    while size < len(shortest) and all(name[len(name) - size - 1] == shortest[-size - 1] for name in names):
        size += 1
    return shortest[len(shortest) - size :]
