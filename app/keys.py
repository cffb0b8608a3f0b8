"""Development keys: random, generated once into the instance folder, never published.

A development start without ``SECRET_KEY`` or ``PSEUDONYM_KEY`` must neither fall back to a
string anyone can read in the source (forged session cookies and links) nor change its keys on
every start (pseudonyms would stop matching, sessions would end). So each key is drawn once from
``secrets`` and kept in a file readable only by its owner.

gunicorn starts its workers (and ``flask jobs run`` the scheduler) at the same moment, so several
processes may find the file missing together. Each writes its candidate to a private temporary
file and publishes it with ``os.link``, which, like ``O_EXCL``, fails when the name exists: exactly
one candidate wins, it is complete when it appears, and every process then reads that one.
"""

import contextlib
import os
import secrets
import string
from pathlib import Path

KEY_BYTES = 32
_HEX = set(string.hexdigits)


class KeyFileError(RuntimeError):
    """A key file exists but does not hold a usable key."""


def _read(path: Path) -> str:
    key = path.read_text(encoding="ascii").strip()
    if len(key) < 2 * 16 or not set(key) <= _HEX:
        raise KeyFileError(f"{path} does not hold a hex key of at least 128 bits; delete it")
    return key


def load_or_create(path: Path, *, nbytes: int = KEY_BYTES) -> str:
    """The hex key in ``path``; created once (mode 0600) with ``nbytes`` random bytes if missing."""
    if path.exists():
        return _read(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    candidate = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    fd = os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(secrets.token_hex(nbytes) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        # FileExistsError: another process published its key first; everyone uses that one.
        with contextlib.suppress(FileExistsError):
            os.link(candidate, path)
    finally:
        candidate.unlink(missing_ok=True)
    return _read(path)
