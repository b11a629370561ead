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
import sys
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


# The OS keystore's backend by platform: named, so keyring's detection (which imports every
# backend and plugin and asks each whether it works: ~0.15 s, macOS's one runs ctypes'
# find_library even on Linux) is not run on every start.
_PLATFORM_BACKENDS = {"win32": "keyring.backends.Windows.WinVaultKeyring",
                      "darwin": "keyring.backends.macOS.Keyring"}
_LINUX_BACKEND = "keyring.backends.SecretService.Keyring"  # needs the session's D-Bus
_named: list = []  # the named backend once looked up (None: none usable)


def keyring_config_path() -> Path:
    """keyring's own config file (``keyringrc.cfg``, where a user names a backend), at the
    path keyring reads it from (``keyring.util.platform_.config_root``)."""
    if sys.platform == "win32":
        root = Path(os.environ.get("LOCALAPPDATA", os.environ.get("ProgramData", ".")))
        return root / "Python Keyring" / "keyringrc.cfg"
    root = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return root / "python_keyring" / "keyringrc.cfg"


def named_backend() -> str | None:
    """The dotted class name of this platform's keystore backend; None where there can be
    none (Linux without a D-Bus session bus: no Secret Service to ask)."""
    if sys.platform in _PLATFORM_BACKENDS:
        return _PLATFORM_BACKENDS[sys.platform]
    if os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
        return _LINUX_BACKEND
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    if runtime and Path(runtime, "bus").exists():  # secretstorage finds the bus there too
        return _LINUX_BACKEND
    return None


def _backend_of(name: str):
    import importlib

    module, _, cls = name.rpartition(".")
    backend = getattr(importlib.import_module(module), cls)
    return backend() if backend.viable else None


def os_keystore():
    """The OS keystore (a keyring backend: ``get_password``/``set_password``) when there is a
    usable one, else None. A backend named in ``PYTHON_KEYRING_BACKEND`` or keyring's config
    file is keyring's to load (as is one set with ``keyring.set_keyring`` then); otherwise the
    platform's own backend is asked directly (:func:`named_backend`), once per process."""
    try:
        if "PYTHON_KEYRING_BACKEND" in os.environ or keyring_config_path().exists():
            import keyring
            from keyring.backends import fail

            backend = keyring.get_keyring()
            if isinstance(backend, fail.Keyring) or getattr(backend, "priority", 0) <= 0:
                return None
            return backend
        if not _named:
            name = named_backend()
            _named.append(_backend_of(name) if name else None)
        return _named[0]
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
    path = key_file_path(entry)
    if not path.exists():
        if not create:
            return None
        from clerk_console.private_files import private_dir, private_file

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
