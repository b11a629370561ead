"""Issue #10, the window's accounts: attacks on PINs and sign-in, each reproduced.

- a stolen replica: the PIN hash must be expensive offline (argon2id, 6+ digits), and hashes
  of older consoles (scrypt) are replaced at the next right PIN;
- user enumeration by timing: an unknown id is refused after the same work as a known one.
"""
from __future__ import annotations

import hashlib
import secrets
import statistics
import time

import pytest
from argon2 import extract_parameters
from sqlalchemy import update

from clerk_console.services import ServiceError
from clerk_console.services.audit import login
from clerk_console.storage.replica import ReplicaError
from clerk_console.storage.tables import ClerkRow


def _stored(replica, clerk_id: str) -> ClerkRow:
    with replica.tx.read() as s:
        row = s.get(ClerkRow, clerk_id)
        return row.pin_hash, row.pin_salt


def test_a_stolen_hash_is_argon2id_at_the_measured_cost(replica):
    pin_hash, salt = _stored(replica, "c1")
    assert pin_hash.startswith(b"$argon2id$") and salt == b""
    params = extract_parameters(pin_hash.decode())
    assert params.memory_cost >= 19 * 1024 and params.time_cost >= 2
    assert b"111111" not in pin_hash


@pytest.mark.parametrize("pin", ["1234", "12345", "0000"])
def test_short_pins_are_refused(replica, pin):
    with pytest.raises(ReplicaError, match="6 到 12 位数字"):
        replica.set_pin("c1", pin)


def test_an_old_scrypt_hash_still_signs_in_and_is_rehashed(replica):
    salt = secrets.token_bytes(16)
    old = hashlib.scrypt(b"2468", salt=salt, n=2**14, r=8, p=1, dklen=32)  # a 0.8 console's
    with replica.write() as s:
        s.execute(update(ClerkRow).where(ClerkRow.id == "c1")
                  .values(pin_hash=old, pin_salt=salt))
    assert replica.verify_pin("c1", "246800") is None  # a wrong PIN leaves the old hash
    assert _stored(replica, "c1") == (old, salt)
    assert login(replica, "c1", "2468").id == "c1"
    pin_hash, salt = _stored(replica, "c1")
    assert pin_hash.startswith(b"$argon2id$") and salt == b""
    assert replica.verify_pin("c1", "2468") is not None  # the same PIN, now under argon2id
    assert replica.get_clerk("c1").failed_attempts == 0


def _refusal_time(replica, clerk_id: str) -> float:
    t0 = time.perf_counter()
    with pytest.raises(ServiceError, match="工号或 PIN 错误"):
        login(replica, clerk_id, "999999")
    return time.perf_counter() - t0


def test_an_unknown_id_takes_as_long_as_a_known_one(replica):
    """The attack: time the refusal of `nobody` and of `c1` with a wrong PIN. Before, the
    unknown id came back at once (no hash) and the known one after a scrypt hash."""
    replica.add_clerk("c2", "孙丽", "222222")
    known, unknown, disabled = [], [], []
    replica.set_active("c2", False)
    for _ in range(5):  # interleaved, medians: load on the machine hits all three alike
        known.append(_refusal_time(replica, "c1"))
        unknown.append(_refusal_time(replica, "nobody"))
        disabled.append(_refusal_time(replica, "c2"))
        replica.unlock_clerk("c1")
    k = statistics.median(known)
    assert statistics.median(unknown) > 0.5 * k
    assert statistics.median(disabled) > 0.5 * k
