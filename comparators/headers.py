"""Which response headers are compared, and in which normalized form.

Always: ``content-type`` (media type and charset; other parameters are transport detail). Never: hop-by-hop
headers, ``date``, ``server``, ``content-length`` (the bodies are compared instead) and
``transfer-encoding``. Anything else only when a profile lists it for the route (``cache-control`` on
``GET /api/images/{id}/file``) or for a status (``allow`` on 405), or lists ``"*"`` (every header that is
not dropped).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from comparators.message import Headers
from comparators.paths import join_pointer
from comparators.result import Diff, DiffKind

__all__ = ["ALWAYS_COMPARED", "HOP_BY_HOP", "NEVER_COMPARED", "compared_names", "diff_headers", "normalized_header"]

ALWAYS_COMPARED = ("content-type",)
# Connection-level headers (RFC 9110 §7.6.1) and proxy plumbing: never compared, and never forwarded as they
# came (the shadow tee drops them from mirrored requests).
HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "proxy-connection",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
    }
)
NEVER_COMPARED = HOP_BY_HOP | {
    # RFC 2616 §13.5.1 spelled the hop-by-hop ``trailer`` this way
    "trailers",
    # differ per process or are derived from the body
    "date",
    "server",
    "content-length",
}


def _joined(headers: Headers, name: str) -> str | None:
    values = [value for key, value in headers if key.lower() == name]
    return ", ".join(values) if values else None


def normalized_header(name: str, value: str | None) -> str | None:
    """The comparable form: media type + charset for content-type, the method set for ``allow``,
    the sorted directive list for ``cache-control``, trimmed text otherwise."""
    if value is None:
        return None
    return _normalized(name, value)


# A pure function of two short strings, and most exchanges send the same few content types: remembered.
@lru_cache(maxsize=1024)
def _normalized(name: str, value: str) -> str:
    name = name.lower()
    if name == "content-type":
        media, *params = (part.strip() for part in value.split(";"))
        charset = next(
            (p.split("=", 1)[1].strip().strip('"').lower() for p in params if p.lower().startswith("charset=")), None
        )
        return media.lower() if charset is None else f"{media.lower()}; charset={charset}"
    if name in ("allow", "cache-control", "vary"):
        items = sorted({item.strip().lower() for item in value.split(",") if item.strip()})
        return ",".join(items)
    return value.strip()


def compared_names(primary: Headers, candidate: Headers, extra: Iterable[str] = ()) -> list[str]:
    """``content-type`` plus the listed names (lower-cased); ``"*"`` adds every header either side sent
    that is not in ``NEVER_COMPARED``."""
    names = dict.fromkeys(ALWAYS_COMPARED)
    for name in extra:
        if name == "*":
            for key, _ in (*primary, *candidate):
                if key.lower() not in NEVER_COMPARED:
                    names[key.lower()] = None
        elif name.lower() not in NEVER_COMPARED:
            names[name.lower()] = None
    return list(names)


def diff_headers(primary: Headers, candidate: Headers, extra: Iterable[str] = ()) -> list[Diff]:
    """HEADER differences at ``/headers/<name>``."""
    if primary == candidate:  # the compared values are functions of the headers (and names) alone
        return []
    found = []
    for name in compared_names(primary, candidate, extra):
        p = normalized_header(name, _joined(primary, name))
        c = normalized_header(name, _joined(candidate, name))
        if p != c:
            found.append(Diff(path=join_pointer("/headers", name), kind=DiffKind.HEADER, primary=p, candidate=c))
    return found
