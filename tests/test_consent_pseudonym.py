"""Keyed pseudonyms: stable with the key, unrelated without it, and not brute-forceable."""

import hashlib
from datetime import date

import pytest

from consent.pseudonym import (
    MIN_KEY_BYTES,
    Pseudonymiser,
    PseudonymKeyError,
    cpr_birth_date,
    normalise_cpr,
)

KEY = bytes.fromhex("ab" * 32)
OTHER_KEY = bytes.fromhex("cd" * 32)
CPR = "010190-1235"


def all_cprs_born_on(day: date) -> list[str]:
    """Every syntactically valid CPR number for one birth date (century rule respected)."""
    found = []
    for serial in range(10_000):
        candidate = f"{day:%d%m%y}{serial:04d}"
        try:
            if cpr_birth_date(candidate) == day:
                found.append(candidate)
        except ValueError:
            continue
    return found


def test_same_key_same_pseudonym_and_hex_output():
    first = Pseudonymiser(KEY).cpr(CPR)
    assert first == Pseudonymiser(KEY).cpr("0101901235")  # hyphen is normalised away
    assert len(first) == 64 and int(first, 16) >= 0


def test_pseudonym_cannot_be_recomputed_without_the_key():
    pseudonym = Pseudonymiser(KEY).cpr(CPR)
    digits = CPR.replace("-", "")
    # Unkeyed hashes of the CPR number, with or without the domain prefix, do not match.
    for guess in (digits, CPR, f"cpr:{digits}"):
        assert hashlib.sha256(guess.encode()).hexdigest() != pseudonym
    # Another key gives another pseudonym.
    assert Pseudonymiser(OTHER_KEY).cpr(CPR) != pseudonym


def test_brute_force_over_one_birth_date_needs_the_key():
    day = date(1990, 1, 1)
    candidates = all_cprs_born_on(day)
    # Seventh digit 0-3 and 4/9 give 1990 (6000 numbers); 5-8 would mean 1890.
    assert len(candidates) == 6000
    target = Pseudonymiser(KEY).cpr(CPR)

    wrong = Pseudonymiser(OTHER_KEY)
    assert not [c for c in candidates if wrong.cpr(c) == target]
    # The same search with the right key does find it, so the search itself is sound.
    right = Pseudonymiser(KEY)
    assert [c for c in candidates if right.cpr(c) == target] == [CPR.replace("-", "")]


def test_domains_are_separated():
    pseudonymiser = Pseudonymiser(KEY)
    assert pseudonymiser.user(101901235) != pseudonymiser.pseudonym("cpr", "101901235")
    assert pseudonymiser.user(7) == pseudonymiser.pseudonym("user", "7")
    assert pseudonymiser.user(7) != pseudonymiser.user(8)
    with pytest.raises(ValueError):
        pseudonymiser.pseudonym("user:7", "x")  # a ':' would make prefixes ambiguous
    with pytest.raises(TypeError):
        pseudonymiser.user("7")  # type: ignore[arg-type]


def test_key_length_is_enforced():
    with pytest.raises(PseudonymKeyError, match="at least 16 bytes"):
        Pseudonymiser(b"x" * (MIN_KEY_BYTES - 1))
    Pseudonymiser(b"x" * MIN_KEY_BYTES)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (None, "not set"),
        ("   ", "not set"),
        ("zz" * 16, "hexadecimal"),
        ("ab" * 15, r"too short: 30 hex characters \(120 bits\).*at least 32 hex characters"),
    ],
)
def test_hex_key_errors_are_clear(text, message):
    with pytest.raises(PseudonymKeyError, match=message):
        Pseudonymiser.from_hex(text)


def test_hex_key_round_trip_and_repr_hides_the_key():
    pseudonymiser = Pseudonymiser.from_hex(" " + "ab" * 32 + "\n")
    assert pseudonymiser.cpr(CPR) == Pseudonymiser(KEY).cpr(CPR)
    assert "ab" not in repr(pseudonymiser) and "256-bit" in repr(pseudonymiser)


@pytest.mark.parametrize(
    ("cpr", "born"),
    [
        ("010190-1235", date(1990, 1, 1)),
        ("010105-4000", date(2005, 1, 1)),  # 7th digit 4, year <= 36: 2000s
        ("010158-5000", date(1858, 1, 1)),  # 7th digit 5, year >= 58: 1800s
        ("290200-4000", date(2000, 2, 29)),  # leap day in 2000
    ],
)
def test_cpr_century_rule(cpr, born):
    assert cpr_birth_date(normalise_cpr(cpr)) == born


@pytest.mark.parametrize(
    "cpr", ["290200-1000", "320190-1235", "0101901", "abcdefghij", "01019012355"]
)
def test_invalid_cpr_numbers_are_rejected(cpr):
    with pytest.raises(ValueError):
        Pseudonymiser(KEY).cpr(cpr)
