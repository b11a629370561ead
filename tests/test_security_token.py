"""Issue #10: the window's sync token was stored in clear in the replica (and so in every
backup of it). Now: the OS keystore, else a file encrypted under a key kept outside the
window folder and bound to this PC."""
from __future__ import annotations

import shutil

import keyring
import pytest
from keyring.backend import KeyringBackend

from clerk_console.storage.replica import KV_WINDOW_TOKEN, Replica
from clerk_console.sync import token_store
from clerk_console.sync.token_store import (TOKEN_FILE, load_token, store_window_token,
                                            window_token)

TOKEN = "tok-Zx8KfJ3pQ1m0vR7yW2aL5sD9gH4jK6nB"


class MemoryKeyring(KeyringBackend):
    priority = 10

    def __init__(self):
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}

    def set_password(self, service, username, password):
        self.entries[(service, username)] = password

    def get_password(self, service, username):
        return self.entries.get((service, username))

    def delete_password(self, service, username):
        self.entries.pop((service, username), None)


@pytest.fixture
def memory_keyring():
    before = keyring.get_keyring()
    ring = MemoryKeyring()
    keyring.set_keyring(ring)
    yield ring
    keyring.set_keyring(before)


def _files_holding(folder, secret: str) -> list[str]:
    return [str(p.relative_to(folder)) for p in folder.rglob("*")
            if p.is_file() and secret.encode() in p.read_bytes()]


def test_no_file_of_the_window_folder_holds_the_token(replica):
    """The attack: copy replica.sqlite3 or a backup, read the token out of ``kv``."""
    assert store_window_token(replica, TOKEN) == "file"  # this machine has no OS keystore
    replica.close()
    home = replica.path.parent
    assert _files_holding(home, TOKEN) == []
    assert (home / TOKEN_FILE).stat().st_mode & 0o077 == 0
    with Replica.open(replica.path) as again:
        assert again.get_kv(KV_WINDOW_TOKEN) is None
        assert window_token(again) == TOKEN


def test_a_copied_folder_or_an_edited_file_gives_no_token(replica, tmp_path, monkeypatch):
    store_window_token(replica, TOKEN)
    home = replica.path.parent
    copy = tmp_path / "copied-to-usb"
    shutil.copytree(home, copy)
    assert load_token(copy) is None  # the key file is not in the folder (and is per folder)
    monkeypatch.setattr(token_store, "_machine_id", lambda: b"another-pc")
    assert load_token(home) is None  # the right key file, another PC
    monkeypatch.undo()
    assert load_token(home) == TOKEN
    raw = bytearray((home / TOKEN_FILE).read_bytes())
    raw[-1] ^= 1
    (home / TOKEN_FILE).write_bytes(bytes(raw))
    assert load_token(home) is None  # GCM: an edited file is refused, not misread


def test_an_older_consoles_token_moves_out_of_the_replica(replica):
    replica.set_kv(KV_WINDOW_TOKEN, TOKEN)  # as a 0.8 console left it
    assert window_token(replica) == TOKEN
    assert replica.get_kv(KV_WINDOW_TOKEN) is None
    assert load_token(replica.path.parent) == TOKEN


def test_the_os_keystore_is_used_where_there_is_one(replica, memory_keyring):
    assert store_window_token(replica, TOKEN) == "keyring"
    assert list(memory_keyring.entries.values()) == [TOKEN]
    assert not (replica.path.parent / TOKEN_FILE).exists()
    assert window_token(replica) == TOKEN
