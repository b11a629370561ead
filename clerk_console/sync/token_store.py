"""Where the window's sync token is kept: the OS keystore, else an encrypted file.

The token lets whoever holds it push cases as this window and pull its decisions, so it is
not kept in the replica (which is copied into ``backups/`` before every migration and is
what a support request would send): the first choice is the OS keystore through ``keyring``
(Windows Credential Manager, macOS Keychain, the Secret Service of a Linux desktop), one
entry per window folder. Where there is none (a Linux PC without a desktop keyring), the
token goes to ``<folder>/window-token.enc``: AES-256-GCM under a key derived (HKDF-SHA256)
from a random 32-byte key file kept *outside* the window folder, in the user's config folder
(``key_dir()``), and the PC's machine id. What that buys over a plain 0600 file, honestly:
a copy of the window folder (a backup, a zip for support, a disk moved to another PC) does
not carry a usable token, and a file edited by hand is refused (GCM tag). It does not stop
someone who runs as this user on this PC, or root: they can read the key file too.

A token found in the replica (consoles before 0.9 kept it in ``kv``) is moved on first use.
The keystore and key-file machinery is ``clerk_console.keystore``, shared with the replica's
own key (``storage/db.py: replica_key``).
"""
from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path
from typing import TYPE_CHECKING

from clerk_console.keystore import (KEY_DIR_ENV, SERVICE, folder_entry, key_dir,  # noqa: F401
                                    key_file, keystore_get, keystore_set)
from clerk_console.keystore import machine_id as _machine_id

if TYPE_CHECKING:
    from clerk_console.storage.replica import Replica

log = logging.getLogger(__name__)

TOKEN_FILE = "window-token.enc"
_MAGIC = b"CCT1"


def _entry(home: Path) -> str:
    return folder_entry("window-token", home)


def _key(home: Path, *, create: bool) -> bytes | None:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    raw = key_file(_entry(home), create=create)
    if raw is None:
        return None
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=_machine_id(),
                info=b"clerk-console window token").derive(raw)


def _write_file(home: Path, token: str) -> None:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    from clerk_console.private_files import private_file

    nonce = secrets.token_bytes(12)
    key = _key(home, create=True)
    assert key is not None  # key_file(create=True) makes one
    sealed = AESGCM(key).encrypt(nonce, token.encode(), _MAGIC)
    path = Path(home) / TOKEN_FILE
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(_MAGIC + nonce + sealed)
    private_file(tmp)
    os.replace(tmp, path)


def _read_file(home: Path) -> str | None:
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    path = Path(home) / TOKEN_FILE
    if not path.exists():
        return None
    raw = path.read_bytes()
    key = _key(home, create=False)
    if key is None or not raw.startswith(_MAGIC):
        log.error("window token file unreadable: no key file or not a token file")
        return None
    try:
        return AESGCM(key).decrypt(raw[4:16], raw[16:], _MAGIC).decode()
    except (InvalidTag, ValueError):
        log.error("window token file refused: wrong key (another PC?) or edited")
        return None


def save_token(home: Path, token: str) -> str:
    """Keep the token; where it went: ``"keyring"`` or ``"file"``."""
    if keystore_set(_entry(home), token):
        (Path(home) / TOKEN_FILE).unlink(missing_ok=True)
        return "keyring"
    _write_file(home, token)
    return "file"


def load_token(home: Path) -> str | None:
    return keystore_get(_entry(home)) or _read_file(home)


def window_token(replica: Replica) -> str | None:
    """This window's token (moved out of the replica if an older console left it there)."""
    home = Path(replica.path).parent
    token = load_token(home)
    from clerk_console.storage.replica import KV_WINDOW_TOKEN

    legacy = replica.get_kv(KV_WINDOW_TOKEN)
    if legacy:
        if not token:
            save_token(home, legacy)
            token = legacy
        from clerk_console.storage.replica import kv

        with replica.write() as s:
            kv.put(s, KV_WINDOW_TOKEN, None)
    return token


def store_window_token(replica: Replica, token: str) -> str:
    """Keep a new token for this window (never in the replica); where it went."""
    from clerk_console.storage.replica import KV_WINDOW_TOKEN, kv

    where = save_token(Path(replica.path).parent, token)
    if replica.get_kv(KV_WINDOW_TOKEN):
        with replica.write() as s:
            kv.put(s, KV_WINDOW_TOKEN, None)
    return where
