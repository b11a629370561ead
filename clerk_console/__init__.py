"""clerk-console: the intake console of a government service hall (一窗受理)."""

__version__ = "0.1.0"  # the one place of the version: pyproject.toml reads it, CHANGELOG.md names it
