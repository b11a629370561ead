"""The one base class of the errors this project raises on purpose.

Every such error's ``str()`` is a Chinese message for the clerk saying what is wrong and what
to do, with no personal data. The UI shows those and only those; anything else is a defect:
it is logged and the clerk sees a generic message.
"""
from __future__ import annotations


class ClerkError(Exception):
    """An error meant for the clerk (or the CLI user): the message is Chinese and safe."""


class RuleError(ClerkError, ValueError):
    """A domain rule refuses what was asked (bad PIN, bad rating, a case that cannot move)."""
