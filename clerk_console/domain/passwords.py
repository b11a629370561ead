"""The one argon2id setting for every secret a person types: a clerk's PIN at the window and
a back-office account's password. Pure (CPU only, no I/O).

argon2id at OWASP's first recommended setting (19 MiB, 2 passes, 1 lane): 22-70 ms a hash on
a 2-core machine, so the 10^6 six-digit PINs cost ~6 CPU-hours offline (bench_attacks).
"""
from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from .errors import RuleError

HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
PASSWORD_CHARS = (10, 128)  # a back-office account's password


class PasswordError(RuleError):
    """A password that does not follow the rule."""


def hash_secret(secret: str) -> str:
    """The argon2id hash of ``secret`` in PHC form (``$argon2id$v=19$m=…``, salt inside)."""
    return HASHER.hash(secret)


def secret_matches(secret: str, hashed: str) -> bool:
    """Whether ``secret`` is the one hashed (False for anything that is not an argon2 hash)."""
    if not hashed.startswith("$argon2"):
        return False
    try:
        return HASHER.verify(hashed, secret)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(hashed: str) -> bool:
    """Whether a stored hash is older than the current setting (or not argon2 at all)."""
    if not hashed.startswith("$argon2"):
        return True
    try:
        return HASHER.check_needs_rehash(hashed)
    except InvalidHashError:
        return True


# verified when an account is unknown, disabled or locked: the same work as a real check, so
# the time of a refusal does not tell which accounts exist
DUMMY_HASH = hash_secret("000000")


def check_password(password: str) -> str:
    """A back-office password: 10 to 128 characters, not only digits or only letters.

    >>> check_password("abc")
    Traceback (most recent call last):
    ...
    clerk_console.domain.passwords.PasswordError: 口令应为 10 到 128 个字符
    >>> check_password("abcdefghijk")
    Traceback (most recent call last):
    ...
    clerk_console.domain.passwords.PasswordError: 口令不能只有字母或只有数字，请混合使用字母、数字或符号
    """
    low, high = PASSWORD_CHARS
    if not isinstance(password, str) or not low <= len(password) <= high:
        raise PasswordError(f"口令应为 {low} 到 {high} 个字符")
    if password.isdigit() or password.isalpha():
        raise PasswordError("口令不能只有字母或只有数字，请混合使用字母、数字或符号")
    return password
