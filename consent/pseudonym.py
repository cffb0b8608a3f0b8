"""Keyed pseudonyms (HMAC-SHA256) for CPR numbers and user ids.

A pseudonym links records about the same person without naming them: the research extract, the
consent ledger after an erasure and the access log after an erasure carry pseudonyms, never CPR
numbers or user ids. Because the pseudonym is keyed, nobody can recompute it from a CPR number
(there are only about 3.65 million valid CPR numbers per century, so an unkeyed hash would be
reversed by brute force in seconds). The key comes from the configuration (``PSEUDONYM_KEY``,
hex) and is never stored in the database, so a copy of the database alone cannot re-identify
anyone.

Each kind of identifier gets its own domain prefix (``cpr:``, ``user:``), so a user id that happens
to look like a CPR number can never collide with it.
"""

import hashlib
import hmac
import re
from datetime import date

MIN_KEY_BYTES = 16  # 128 bits, the floor for an HMAC key (NIST SP 800-107)
_DOMAIN = re.compile(r"[a-z][a-z0-9_]{0,31}")
_CPR = re.compile(r"(\d{6})-?(\d{4})")


class PseudonymKeyError(ValueError):
    """The pseudonymisation key is missing, malformed or too short."""


class Pseudonymiser:
    """Compute keyed pseudonyms: ``Pseudonymiser(key).user(42)`` -> 64 hex characters.

    The same key always gives the same pseudonym for the same identifier, so pseudonyms made on
    different days can be joined; a different key gives unrelated pseudonyms.
    """

    __slots__ = ("_key",)

    def __init__(self, key: bytes) -> None:
        if not isinstance(key, bytes):
            raise PseudonymKeyError("the pseudonymisation key must be bytes")
        if len(key) < MIN_KEY_BYTES:
            raise PseudonymKeyError(
                f"the pseudonymisation key must be at least {MIN_KEY_BYTES} bytes "
                f"({MIN_KEY_BYTES * 8} bits); got {len(key)} bytes"
            )
        self._key = key

    @classmethod
    def from_hex(cls, text: str | None) -> "Pseudonymiser":
        """Build from the hex string in the configuration (``PSEUDONYM_KEY``).

        Raises ``PseudonymKeyError`` with a message that says what is wrong, since a
        misconfigured key must stop the start-up rather than produce unlinkable pseudonyms.
        """
        if not text or not text.strip():
            raise PseudonymKeyError(
                "PSEUDONYM_KEY is not set; generate one with `openssl rand -hex 32`"
            )
        cleaned = text.strip()
        try:
            key = bytes.fromhex(cleaned)
        except ValueError as exc:
            raise PseudonymKeyError("PSEUDONYM_KEY must be hexadecimal (0-9, a-f)") from exc
        if len(key) < MIN_KEY_BYTES:
            raise PseudonymKeyError(
                f"PSEUDONYM_KEY is too short: {len(cleaned)} hex characters "
                f"({len(key) * 8} bits); at least {MIN_KEY_BYTES * 2} hex characters "
                f"({MIN_KEY_BYTES * 8} bits) are required"
            )
        return cls(key)

    def __repr__(self) -> str:
        # Never show the key, not even in a traceback or a debugger.
        return f"Pseudonymiser(<{len(self._key) * 8}-bit key>)"

    def pseudonym(self, domain: str, value: str) -> str:
        """The pseudonym of ``value`` in ``domain`` (lowercase letters, digits, underscore)."""
        if not _DOMAIN.fullmatch(domain):
            raise ValueError(f"invalid pseudonym domain {domain!r}")
        # The domain cannot contain ":", so "domain:value" is unambiguous.
        message = f"{domain}:{value}".encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()

    def user(self, user_id: int) -> str:
        """The pseudonym of a user id (used by the ledger, the access log and erasure records)."""
        if isinstance(user_id, bool) or not isinstance(user_id, int):
            raise TypeError("user_id must be an int")
        return self.pseudonym("user", str(user_id))

    def cpr(self, cpr: str) -> str:
        """The pseudonym of a CPR number (``DDMMYY-SSSS`` or ten digits; validated first)."""
        return self.pseudonym("cpr", normalise_cpr(cpr))


def normalise_cpr(cpr: str) -> str:
    """Return the ten digits of a CPR number, or raise ``ValueError`` if it is not one.

    The modulus-11 check is not applied: CPR numbers without it have been issued since 2007.
    The date part is checked with the century rule of the seventh digit.
    """
    match = _CPR.fullmatch(cpr.strip())
    if not match:
        raise ValueError("a CPR number has the form DDMMYY-SSSS")
    digits = match.group(1) + match.group(2)
    cpr_birth_date(digits)
    return digits


def cpr_birth_date(cpr: str) -> date:
    """The birth date in a CPR number (ten digits), by the seventh digit's century rule."""
    if len(cpr) != 10 or not cpr.isdigit():
        raise ValueError("a CPR number has ten digits")
    day, month, yy, seventh = int(cpr[0:2]), int(cpr[2:4]), int(cpr[4:6]), int(cpr[6])
    if seventh <= 3:
        century = 1900
    elif seventh in (4, 9):
        century = 2000 if yy <= 36 else 1900
    else:  # 5-8
        century = 2000 if yy <= 57 else 1800
    try:
        return date(century + yy, month, day)
    except ValueError as exc:
        raise ValueError("the CPR number does not encode a valid date") from exc
