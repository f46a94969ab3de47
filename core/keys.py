"""Hashing the API keys Parley hands out (site CMS keys, scoring-API keys)."""

import hashlib


def hash_key(key: str) -> str:
    """What is stored for a key: its SHA-256, hex.

    Keys are 256 random bits, so a plain SHA-256 cannot be reversed by guessing;
    a slow password hash would only slow every request down.
    """
    return hashlib.sha256(key.encode("utf-8")).hexdigest()
