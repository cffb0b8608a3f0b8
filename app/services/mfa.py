"""Second factor for local accounts: TOTP (RFC 6238, any authenticator app) and recovery codes.

The TOTP secret is stored encrypted (Fernet: AES-128-CBC with HMAC-SHA256) under a key derived
with HKDF from ``MFA_ENCRYPTION_KEY``, or from ``SECRET_KEY`` when that is not set. Neither key
is in the database, so a copy of the database (a backup, an export) does not reveal secrets.
Rotating the key makes the stored secrets unreadable: the people concerned log in with a
recovery code and set the app up again. Exports never include the secret (``redact``).

A code is accepted once: the time step of the last accepted code is stored and only a later
step is accepted, claimed with a compare-and-set UPDATE so two workers cannot both accept it.

Recovery codes are 80 random bits, shown once and stored as SHA-256 (salted with the user id);
with that much entropy a plain hash cannot be reversed by guessing.
"""

import base64
import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass

import pyotp
import segno
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app
from sqlalchemy import update
from sqlmodel import Session, col, func, select

from app.models import MfaCredential, RecoveryCode, User, utcnow

ISSUER = "Jobunivers"
STEP_SECONDS = 30
DIGITS = 6
RECOVERY_CODE_COUNT = 10
# No 0/O, 1/I: codes are read from paper and typed by hand.
_RECOVERY_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
_RECOVERY_LENGTH = 16  # 16 x 5 bits = 80 bits


class MfaError(Exception):
    """The second factor cannot be changed this way (nothing pending, or already set up)."""


@dataclass(frozen=True)
class Status:
    """What a person's second factor looks like, for the security page."""

    enabled: bool
    pending: bool
    recovery_codes_left: int


@dataclass(frozen=True)
class Enrolment:
    """What the set-up page shows: the secret for typing in, its URI and the QR code."""

    secret: str
    uri: str
    qr_data_uri: str


def _fernet() -> Fernet:
    material = current_app.config.get("MFA_ENCRYPTION_KEY") or current_app.config["SECRET_KEY"]
    if isinstance(material, str):
        material = material.encode()
    key = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"jobunivers mfa secret v1"
    ).derive(material)
    return Fernet(base64.urlsafe_b64encode(key))


def _decrypt(credential: MfaCredential) -> str | None:
    try:
        return _fernet().decrypt(credential.secret_encrypted.encode()).decode()
    except InvalidToken:
        # The key changed since enrolment: only a recovery code can get the person in now.
        current_app.logger.warning("TOTP secret of user %s cannot be decrypted", credential.user_id)
        return None


def _code_hash(user_id: int, code: str) -> str:
    return hashlib.sha256(f"{user_id}:{code}".encode()).hexdigest()


def _normalise(code: str) -> str:
    return "".join(code.split()).replace("-", "").upper()


def _confirmed(session: Session, user_id: int) -> MfaCredential | None:
    credential = session.get(MfaCredential, user_id)
    return credential if credential is not None and credential.confirmed_at else None


def is_enabled(*, session: Session, user_id: int) -> bool:
    """Has the person a confirmed second factor?"""
    return _confirmed(session, user_id) is not None


def status(*, session: Session, user_id: int) -> Status:
    """Enabled, being set up, and how many recovery codes are left."""
    credential = session.get(MfaCredential, user_id)
    left = session.exec(
        select(func.count()).where(
            RecoveryCode.user_id == user_id, col(RecoveryCode.used_at).is_(None)
        )
    ).one()
    return Status(
        enabled=bool(credential and credential.confirmed_at),
        pending=bool(credential and not credential.confirmed_at),
        recovery_codes_left=left,
    )


def begin_enrolment(*, session: Session, user_id: int) -> None:
    """Create a new secret waiting for its first code (replacing an unfinished one)."""
    credential = session.get(MfaCredential, user_id)
    if credential is not None and credential.confirmed_at:
        raise MfaError("the second factor is already set up")
    secret = pyotp.random_base32()
    encrypted = _fernet().encrypt(secret.encode()).decode()
    if credential is None:
        credential = MfaCredential(user_id=user_id, secret_encrypted=encrypted)
    else:
        credential.secret_encrypted = encrypted
        credential.created_at = utcnow()
    session.add(credential)
    session.commit()


def pending_enrolment(*, session: Session, user: User) -> Enrolment | None:
    """The unfinished set-up of ``user``: secret, otpauth URI and QR code (SVG, no PIL)."""
    credential = session.get(MfaCredential, user.id)
    if credential is None or credential.confirmed_at:
        return None
    secret = _decrypt(credential)
    if secret is None:
        return None
    uri = pyotp.TOTP(secret).provisioning_uri(name=user.email or str(user.id), issuer_name=ISSUER)
    qr = segno.make(uri, error="m").svg_data_uri(scale=5, border=2)
    return Enrolment(secret=secret, uri=uri, qr_data_uri=qr)


def _matching_step(secret: str, code: str, after: int, now: float) -> int | None:
    """The time step (now, or one either side for clock drift) whose code is ``code``."""
    if len(code) != DIGITS or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS)
    current = int(now // STEP_SECONDS)
    for step in (current - 1, current, current + 1):
        if step > after and hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _claim_step(session: Session, user_id: int, step: int) -> bool:
    """Move ``last_used_step`` forward to ``step`` unless a parallel request already used it."""
    result = session.exec(
        update(MfaCredential)
        .where(col(MfaCredential.user_id) == user_id, col(MfaCredential.last_used_step) < step)
        .values(last_used_step=step)
    )
    return result.rowcount == 1


def confirm_enrolment(
    *, session: Session, user_id: int, code: str, now: float | None = None
) -> list[str] | None:
    """Switch the pending secret on if ``code`` fits; returns the new recovery codes, or None."""
    credential = session.get(MfaCredential, user_id)
    if credential is None or credential.confirmed_at:
        raise MfaError("there is no set-up waiting for a code")
    secret = _decrypt(credential)
    step = None
    if secret is not None:
        step = _matching_step(
            secret, _normalise(code), credential.last_used_step, now or time.time()
        )
    if step is None or not _claim_step(session, user_id, step):
        session.rollback()
        return None
    credential.confirmed_at = utcnow()
    session.add(credential)
    codes = _replace_recovery_codes(session, user_id)
    session.commit()
    return codes


def verify(*, session: Session, user_id: int, code: str, now: float | None = None) -> str | None:
    """Check a TOTP code or an unused recovery code; returns "totp" or "recovery", or None.

    A recovery code is used up; a TOTP code's time step can never be used again.
    """
    credential = _confirmed(session, user_id)
    if credential is None:
        return None
    typed = _normalise(code)
    secret = _decrypt(credential)
    step = None
    if secret is not None:
        step = _matching_step(secret, typed, credential.last_used_step, now or time.time())
    if step is not None:
        claimed = _claim_step(session, user_id, step)
        session.commit()
        return "totp" if claimed else None
    if len(typed) != _RECOVERY_LENGTH:
        return None
    result = session.exec(
        update(RecoveryCode)
        .where(
            col(RecoveryCode.user_id) == user_id,
            col(RecoveryCode.code_hash) == _code_hash(user_id, typed),
            col(RecoveryCode.used_at).is_(None),
        )
        .values(used_at=utcnow())
    )
    session.commit()
    return "recovery" if result.rowcount == 1 else None


def _replace_recovery_codes(session: Session, user_id: int) -> list[str]:
    for old in session.exec(select(RecoveryCode).where(RecoveryCode.user_id == user_id)):
        session.delete(old)
    codes = [
        "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(_RECOVERY_LENGTH))
        for _ in range(RECOVERY_CODE_COUNT)
    ]
    for code in codes:
        session.add(RecoveryCode(user_id=user_id, code_hash=_code_hash(user_id, code)))
    return [format_recovery_code(code) for code in codes]


def format_recovery_code(code: str) -> str:
    """``ABCDEFGHJKLMNPQR`` -> ``ABCD-EFGH-JKLM-NPQR`` (easier to copy by hand)."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def regenerate_recovery_codes(*, session: Session, user_id: int) -> list[str]:
    """New recovery codes (the old ones stop working); shown once, stored hashed."""
    if _confirmed(session, user_id) is None:
        raise MfaError("the second factor is not set up")
    codes = _replace_recovery_codes(session, user_id)
    session.commit()
    return codes


def disable(*, session: Session, user_id: int) -> None:
    """Remove the second factor and its recovery codes."""
    for code in session.exec(select(RecoveryCode).where(RecoveryCode.user_id == user_id)):
        session.delete(code)
    credential = session.get(MfaCredential, user_id)
    if credential is not None:
        session.delete(credential)
    session.commit()


def offered(*, user: User) -> bool:
    """Can this account use a TOTP second factor (a local account of an offered role)?"""
    return user.password_hash is not None and user.role in current_app.config["MFA_OFFERED_ROLES"]


def required(*, user: User) -> bool:
    """Must this account have a second factor before it may use its pages?"""
    return user.password_hash is not None and user.role in current_app.config["MFA_REQUIRED_ROLES"]
