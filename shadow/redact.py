"""Keyed-hash redaction of secrets, applied to every record before the store writes anything.

A secret is replaced by ``«redacted:hmac256:<first 16 hex of HMAC-SHA256(key, secret)>»``. Equal secrets
give equal markers (so a stored diff still shows whether primary and candidate carried the same token) and
nothing readable is kept. What counts as a secret:

* headers: Authorization / Proxy-Authorization (the scheme is kept), Cookie and Set-Cookie (cookie names
  and attributes are kept), and any header named like token / secret / password / key / auth / session;
* JSON fields at any depth whose name reads like token, secret, password, pat, oauth_token, api_key,
  credentials... (vibe-kanban's ``github.pat`` and ``github.oauth_token`` in ``PUT /api/config`` bodies and
  in ``/api/config`` and ``/api/info`` answers are such fields); every string below such a field is hashed;
  numbers are kept (``input_tokens: 12`` is a count, not a secret);
* query and form parameters with such names;
* JSON embedded in strings (``/api/profiles`` ``content``) and in SSE ``data:`` lines, redacted the same way;
* anywhere else (non-JSON bodies, every string value, diff values): known token shapes (GitHub ``ghp_``,
  ``gho_``, ``github_pat_``, ``Bearer``/``Basic`` credentials, ``sk-`` keys, AWS access keys, Slack tokens,
  JWTs, private key blocks, passwords in URLs, ``password=...`` style assignments).

The key comes from settings. Without one, a random key is made once per process and a one-line warning is
logged. Trade-off: markers are then stable within one process only, so evidence from two runs or two
replicas cannot be joined on a secret; the secret itself is safe either way.

Pure: no I/O besides that warning. Shapes that go through here are the frozen models of ``shadow.models``.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
import logging
import re
import secrets
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import unquote_plus

from pydantic import SecretStr

from comparators.message import Headers, HttpRequest, HttpResponse
from comparators.result import Diff, Verdict
from shadow.models import CandidateOutcome, ComparisonRecord, Exchange

__all__ = ["MARKER_PATTERN", "Redactor", "is_secret_name"]

log = logging.getLogger(__name__)

MARKER_PATTERN = re.compile(r"«redacted:hmac256:[0-9a-f]{16}»")

# Words that make a name secret wherever they appear in it (split on _ - . and camelCase).
_SECRET_WORDS = frozenset(
    {
        "token",
        "secret",
        "secrets",
        "password",
        "passwd",
        "passphrase",
        "pwd",
        "pat",
        "apikey",
        "credential",
        "credentials",
        "cookie",
        "authorization",
        "auth",
        "signature",
        "privatekey",
    }
)
# "key" alone is too common (sort_key, idempotency_key); it is secret after one of these words.
_KEY_QUALIFIERS = frozenset({"api", "access", "private", "secret", "signing", "client", "encryption", "master", "x"})
# Named like a secret, but are not: they identify requests, they do not authenticate them.
_NOT_SECRET_NAMES = frozenset({"idempotency-key", "idempotency_key", "x-shadow-idempotency-key"})

_WORD = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")


@functools.lru_cache(maxsize=4096)  # the same few hundred names come back in every body
def is_secret_name(name: str) -> bool:
    """Does a header, field or parameter name read like it holds a secret?"""
    if name.lower() in _NOT_SECRET_NAMES:
        return False
    words = [w.lower() for w in _WORD.findall(name)]
    if any(w in _SECRET_WORDS for w in words):
        return True
    return len(words) >= 2 and words[-1] == "key" and words[-2] in _KEY_QUALIFIERS


_process_key: bytes | None = None


def _per_process_key() -> bytes:
    global _process_key
    if _process_key is None:
        _process_key = secrets.token_bytes(32)
        log.warning(
            "no redaction key configured: using a random per-process key, so redacted values only compare "
            "equal within this process (set the store's redaction_key to keep them comparable across runs)"
        )
    return _process_key


# Group "keep" (when present) is kept verbatim; group "secret" is hashed.
_TEXT_PATTERNS = [
    re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----(?P<secret>.*?)-----END [A-Z ]*PRIVATE KEY-----", re.S),
    re.compile(r"(?P<secret>github_pat_[A-Za-z0-9_]{20,})"),
    re.compile(r"(?P<secret>gh[pousr]_[A-Za-z0-9]{20,})"),
    re.compile(r"(?P<secret>sk-[A-Za-z0-9_-]{20,})"),
    re.compile(r"(?P<secret>AKIA[0-9A-Z]{16})"),
    re.compile(r"(?P<secret>xox[abprs]-[A-Za-z0-9-]{10,})"),
    re.compile(r"(?P<secret>eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,})"),
    re.compile(r"(?i)(?P<keep>\b(?:bearer|basic|token)\s+)(?P<secret>[A-Za-z0-9._~+/-]{8,}=*)"),
    re.compile(r"(?P<keep>://[^/\s:@«]+:)(?P<secret>[^/\s@«]+)(?=@)"),
    re.compile(
        r"(?i)(?P<keep>\b[\w-]*(?:password|passwd|secret|token|api[_-]?key|access[_-]?key)[\"']?\s*[=:]\s*[\"']?)"
        r"(?P<secret>(?!null\b|true\b|false\b|«)[^\s&;,\"'«\\]{4,})"
    ),
]


# Every pattern above needs one of these; strings without any skip the patterns (keep the two in step).
_MAY_HOLD_SECRET = re.compile(
    r"PRIVATE KEY|github_pat_|gh[pousr]_|sk-|AKIA|xox[abprs]-|eyJ|bearer|basic|token|://|passw|secret|api[_-]?key"
    r"|access[_-]?key",
    re.I,
)


class Redactor:
    """Replaces secrets with keyed-hash markers. One instance per store; thread-safe (no mutable state)."""

    def __init__(self, key: bytes) -> None:
        if not key:
            raise ValueError("the redaction key must not be empty")
        self._key = key

    @classmethod
    def from_key(cls, key: SecretStr | str | bytes | None) -> Redactor:
        """A redactor for the configured key, or for a random per-process key (with a warning) when None."""
        if key is None:
            return cls(_per_process_key())
        if isinstance(key, SecretStr):
            key = key.get_secret_value()
        return cls(key.encode() if isinstance(key, str) else key)

    # -- scalars -------------------------------------------------------------------------------------

    def marker(self, secret: str) -> str:
        """The marker for one secret value (idempotent: a marker stays as it is)."""
        if MARKER_PATTERN.fullmatch(secret):
            return secret
        digest = hmac.new(self._key, secret.encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()
        return f"«redacted:hmac256:{digest[:16]}»"

    def text(self, value: str) -> str:
        """Free text: embedded JSON is redacted by structure, then known secret shapes are hashed."""
        embedded = self._embedded_json(value)
        if embedded is not None:
            value = embedded
        return self._scan_only(value)

    def _replace_match(self, match: re.Match[str]) -> str:
        start, end = match.span("secret")
        text = match.string
        return text[match.start() : start] + self.marker(match.group("secret")) + text[end : match.end()]

    # -- JSON ----------------------------------------------------------------------------------------

    def json_value(self, value: Any) -> Any:
        """A JSON document with every secret replaced (see the module docstring for what counts)."""
        if isinstance(value, dict):
            out: dict[Any, Any] = {}
            for key, item in value.items():
                new_key = self.text(key) if isinstance(key, str) else key
                out[new_key] = (
                    self._hash_strings(item) if isinstance(key, str) and is_secret_name(key) else self.json_value(item)
                )
            return out
        if isinstance(value, list):
            return [self.json_value(item) for item in value]
        if isinstance(value, str):
            return self.text(value)
        return value

    def _hash_strings(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.marker(value) if value else value
        if isinstance(value, dict):
            return {self.text(k) if isinstance(k, str) else k: self._hash_strings(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self._hash_strings(item) for item in value]
        return value

    def json_text(self, text: str) -> str | None:
        """Redact a JSON document given as text, keeping its formatting where possible; None if not JSON."""
        try:
            parsed = json.loads(text)
        except ValueError:
            return None
        redacted = self.json_value(parsed)
        if redacted == parsed:
            return text
        # Replace each changed string in place so key order and whitespace survive; if that is ambiguous
        # (the same string also sits where it is not secret), fall back to re-serialising the document.
        patched = text
        try:
            for old, new in _changed_strings(parsed, redacted):
                for encode in (_json_str, _json_str_ascii):
                    # The marker goes in unescaped either way, so it reads (and greps) the same everywhere.
                    patched = patched.replace(encode(old), _json_str(new))
            if json.loads(patched) == redacted:
                return patched
        except ValueError:  # two keys redacted into one, or the patched text no longer parses
            pass
        return json.dumps(redacted, ensure_ascii=False, indent=2 if "\n" in text.strip() else None)

    def _embedded_json(self, value: str) -> str | None:
        stripped = value.strip()
        if len(stripped) < 2 or stripped[0] not in "[{" or stripped[-1] not in "]}":
            return None
        return self.json_text(value)

    # -- HTTP parts ----------------------------------------------------------------------------------

    def headers(self, headers: Headers) -> Headers:
        return tuple((name, self._header_value(name, value)) for name, value in headers)

    def _header_value(self, name: str, value: str) -> str:
        lowered = name.lower()
        if lowered in ("authorization", "proxy-authorization"):
            scheme, sep, credential = value.partition(" ")
            return f"{scheme} {self.marker(credential)}" if sep and credential else self.marker(value)
        if lowered == "cookie":
            return "; ".join(self._cookie_pair(pair) for pair in value.split(";"))
        if lowered == "set-cookie":
            first, sep, attributes = value.partition(";")
            return self._cookie_pair(first) + (sep + attributes if sep else "")
        if is_secret_name(name):
            return self.marker(value)
        return self.text(value)

    def _cookie_pair(self, pair: str) -> str:
        name, sep, value = pair.strip().partition("=")
        return f"{name}={self.marker(value)}" if sep else self.marker(name)

    def query(self, query: str) -> str:
        """A query string (or form body) with secret-named parameters hashed and secret shapes removed.
        Untouched parameters keep their raw encoding; a redacted value is written as its bare marker."""
        return "&".join(self._query_part(part) for part in query.split("&")) if query else query

    def _query_part(self, part: str) -> str:
        raw_name, sep, raw_value = part.partition("=")
        name, value = unquote_plus(raw_name), unquote_plus(raw_value)
        if is_secret_name(name) and value:
            return f"{raw_name}={self.marker(value)}"
        scanned = self.text(value)
        return part if scanned == value else f"{raw_name}{sep}{scanned}"

    def body(self, body: bytes, content_type: str) -> bytes:
        """Any body: JSON by structure, forms by parameter, SSE line by line, everything else by shape."""
        if not body:
            return body
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            # Binary (images, ...): scan it as latin-1, which maps bytes 1:1 and holds the marker's « ».
            return self._scan_only(body.decode("latin-1")).encode("latin-1")
        if content_type == "application/x-www-form-urlencoded":
            return self.query(text).encode()
        if content_type == "text/event-stream":
            return self._event_stream(text).encode()
        # JSON strings were scanned one by one; scanning the JSON text again could cut an escape in half.
        as_json = self.json_text(text)
        return (as_json if as_json is not None else self.text(text)).encode()

    def _scan_only(self, text: str) -> str:
        # Every pattern needs 8+ characters, and most strings (ids, titles, timestamps) match no trigger.
        if len(text) < 8 or not _MAY_HOLD_SECRET.search(text):
            return text
        for pattern in _TEXT_PATTERNS:
            text = pattern.sub(self._replace_match, text)
        return text

    def _event_stream(self, text: str) -> str:
        lines = text.split("\n")
        for index, line in enumerate(lines):
            if line.startswith("data:"):
                payload = line[5:].lstrip(" ")
                redacted = self.json_text(payload)
                lines[index] = line[: len(line) - len(payload)] + self.text(
                    redacted if redacted is not None else payload
                )
            else:
                lines[index] = self.text(line)
        return "\n".join(lines)

    def request(self, request: HttpRequest) -> HttpRequest:
        return request.model_copy(
            update={
                "path": self.text(request.path),
                "query": self.query(request.query),
                "headers": self.headers(request.headers),
                "body": self.body(request.body, _content_type(request.header("content-type"))),
            }
        )

    def response(self, response: HttpResponse) -> HttpResponse:
        return response.model_copy(
            update={"headers": self.headers(response.headers), "body": self.body(response.body, response.content_type)}
        )

    # -- comparison results --------------------------------------------------------------------------

    def diff(self, diff: Diff) -> Diff:
        """A diff whose values are redacted; a diff *at* a secret field has its values hashed outright."""
        segments = [s.replace("~1", "/").replace("~0", "~") for s in diff.path.split("/")]
        at_secret = any(is_secret_name(s) for s in segments if s)
        redact: Callable[[Any], Any] = self._hash_strings if at_secret else self._any_value
        return diff.model_copy(
            update={
                "primary": redact(diff.primary),
                "candidate": redact(diff.candidate),
                "note": self.text(diff.note) if diff.note else diff.note,
            }
        )

    def _any_value(self, value: Any) -> Any:
        if isinstance(value, bytes):
            return self.body(value, "")
        return self.json_value(value)

    def verdict(self, verdict: Verdict) -> Verdict:
        return verdict.model_copy(
            update={
                "diffs": tuple(self.diff(d) for d in verdict.diffs),
                "explained": tuple(self.diff(d) for d in verdict.explained),
                "reason": self.text(verdict.reason) if verdict.reason else verdict.reason,
            }
        )

    def record(self, record: ComparisonRecord) -> ComparisonRecord:
        """Everything the store keeps of one comparison, redacted."""
        exchange: Exchange = record.exchange.model_copy(
            update={"request": self.request(record.exchange.request), "primary": self.response(record.exchange.primary)}
        )
        candidate: CandidateOutcome = record.candidate.model_copy(
            update={
                "response": self.response(record.candidate.response) if record.candidate.response else None,
                "detail": self.text(record.candidate.detail) if record.candidate.detail else record.candidate.detail,
            }
        )
        return record.model_copy(
            update={"exchange": exchange, "candidate": candidate, "verdict": self.verdict(record.verdict)}
        )


def _content_type(value: str | None) -> str:
    return (value or "").split(";")[0].strip().lower()


def _json_str(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def _json_str_ascii(value: str) -> str:
    return json.dumps(value)


def _changed_strings(old: Any, new: Any) -> Iterable[tuple[str, str]]:
    """Pairs (old string, new string) for every string (value or key) the redaction changed."""
    if isinstance(old, dict) and isinstance(new, dict):
        for (old_key, old_value), (new_key, new_value) in zip(old.items(), new.items(), strict=True):
            if old_key != new_key:
                yield old_key, new_key
            yield from _changed_strings(old_value, new_value)
    elif isinstance(old, list) and isinstance(new, list):
        for old_item, new_item in zip(old, new, strict=True):
            yield from _changed_strings(old_item, new_item)
    elif isinstance(old, str) and isinstance(new, str) and old != new:
        yield old, new
