"""The errors ``shadow`` raises, as one tree (httpx style):

    ShadowError            anything this package raises on purpose
    └── StoreError         the evidence store cannot be opened, migrated, written or read

Minimal on purpose: the proxy helper owns this module and extends the tree; keep these two names.
"""

from __future__ import annotations

__all__ = ["ShadowError", "StoreError"]


class ShadowError(Exception):
    """Base of every error ``shadow`` raises on purpose."""


class StoreError(ShadowError):
    """The evidence store failed; the message names the store path and the SQLite reason."""
