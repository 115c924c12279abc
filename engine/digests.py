"""BLAKE2b, the digest of the prepared-pack cache and of long ``unique`` keys: hashlib's
own implementation, taken from ``_blake2`` so that no run loads the OpenSSL library that
importing ``hashlib`` loads (some milliseconds of a start)."""

from __future__ import annotations

try:
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - a Python built without it
    from hashlib import blake2b

__all__ = ["blake2b"]
