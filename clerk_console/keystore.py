"""Where the window's secrets are kept: the OS keystore, else key files outside the window folder.

Two secrets belong to a window folder: the sync token (``sync/token_store.py``) and the key of
the replica (``storage/db.py: replica_key``). Both are kept the same way, by this module: the
first choice is the OS keystore through ``keyring`` (Windows Credential Manager, macOS Keychain,
the Secret Service of a Linux desktop), one entry per secret and window folder; where there is
none (a Linux PC without a desktop keyring, a locked or refusing keystore) a random 32-byte key
file in ``key_dir()`` — the user's config folder, *outside* the window folder — named by a hash
of the entry. So a copy of the window folder (a backup, a zip for support) carries neither.
It does not stop someone who runs as this user on this PC, or root: they can read the keystore
entry or the key file too.

A shared helper: it imports no layer (contract "shared" in pyproject.toml), so storage and
sync can both use it.
"""
from __future__ import annotations

import hashlib
import logging
import os
import secrets
from pathlib import Path

log = logging.getLogger(__name__)

SERVICE = "clerk-console"
KEY_DIR_ENV = "CLERK_CONSOLE_KEY_DIR"  # tests and portable installs: where key files go
KEY_BYTES = 32


def key_dir() -> Path:
    if os.environ.get(KEY_DIR_ENV):
        return Path(os.environ[KEY_DIR_ENV])
    import platformdirs

    return Path(platformdirs.user_config_dir("clerk-console", appauthor=False)) / "keys"


def folder_entry(kind: str, home: Path) -> str:
    """The keystore entry of one secret (``kind``) of the window folder ``home``."""
    return f"{kind}:{Path(home).resolve()}"


def os_keystore():
    """The keyring module when the OS has a usable keystore, else None."""
    try:
        import keyring
        from keyring.backends import fail

        backend = keyring.get_keyring()
        if isinstance(backend, fail.Keyring) or getattr(backend, "priority", 0) <= 0:
            return None
        return keyring
    except Exception:  # no backend, a broken D-Bus session …: the file fallback
        return None


def keystore_get(entry: str) -> str | None:
    """The OS keystore's value for ``entry`` (None: no keystore, no entry, or unreadable)."""
    kr = os_keystore()
    if kr is None:
        return None
    try:
        return kr.get_password(SERVICE, entry) or None
    except Exception as exc:
        log.warning("keyring unreadable (%s); trying the key file", type(exc).__name__)
        return None


def keystore_set(entry: str, value: str) -> bool:
    """Keep ``value`` in the OS keystore; False when there is none or it refused."""
    kr = os_keystore()
    if kr is None:
        return False
    try:
        kr.set_password(SERVICE, entry, value)
        return True
    except Exception as exc:  # a locked or refusing keystore: the caller uses the key file
        log.warning("keyring refused %s (%s); using the key file", entry.split(":", 1)[0],
                    type(exc).__name__)
        return False


def key_file_path(entry: str) -> Path:
    return key_dir() / (hashlib.sha256(entry.encode()).hexdigest()[:32] + ".key")


def key_file(entry: str, *, create: bool) -> bytes | None:
    """The random key file of ``entry`` in ``key_dir()`` (made, owner-only, when ``create``);
    None when there is none."""
    from clerk_console.private_files import private_dir, private_file

    path = key_file_path(entry)
    if not path.exists():
        if not create:
            return None
        private_dir(path.parent)
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(secrets.token_bytes(KEY_BYTES))
        private_file(tmp)
        os.replace(tmp, path)
    return path.read_bytes()


def machine_id() -> bytes:
    for path in ("/etc/machine-id", "/var/lib/dbus/machine-id"):
        try:
            return Path(path).read_bytes().strip()
        except OSError:
            continue
    import platform

    return platform.node().encode()
