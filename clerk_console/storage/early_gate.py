"""The sign-in gate opened in a thread from the first line of ``clerk-console run``, while the
console's UI is still importing (~150 ms of Textual): by the sign-in screen's first paint a
PIN can usually be checked, and the window line is in that paint. Only ``threading`` is
imported here; the gate's own modules load in the thread."""
from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from clerk_console.storage.gate import SignInGate


class EarlyGate:
    """``SignInGate.open(path)`` running in a thread; ``take`` hands over its result."""

    def __init__(self, path: Path) -> None:
        self._done = threading.Event()
        self._gate: SignInGate | None = None
        self._error: BaseException | None = None
        threading.Thread(target=self._open, args=(Path(path),), name="early-gate",
                         daemon=True).start()

    def _open(self, path: Path) -> None:
        try:
            from clerk_console.storage.gate import SignInGate

            self._gate = SignInGate.open(path)
        except BaseException as exc:  # raised again by take(), in the desk's worker
            self._error = exc
        finally:
            self._done.set()

    @property
    def ready(self) -> bool:
        """Opened without an error (the gate, or None where it cannot be used)."""
        return self._done.is_set() and self._error is None

    def take(self) -> SignInGate | None:
        """The gate (None where a gate cannot be used: the replica opens first); waits for
        the thread, and raises what opening raised."""
        self._done.wait()
        if self._error is not None:
            raise self._error
        return self._gate
