"""Where the reference data is read from: an installed wheel's package data, or the checkout."""
from __future__ import annotations

import importlib.resources
from pathlib import Path

import clerk_console
from clerk_console import config

REPO = Path(__file__).resolve().parent.parent


def test_a_checkout_reads_the_top_level_data_folder(monkeypatch):
    monkeypatch.delenv("CLERK_CONSOLE_DATA", raising=False)
    assert config.data_root() == REPO / "data"
    assert (config.data_root() / "catalogue" / "departments.toml").is_file()


def test_package_data_of_an_installed_wheel_wins_over_a_folder_beside_it(monkeypatch, tmp_path):
    packaged = tmp_path / "site-packages" / "clerk_console"
    (packaged / "data").mkdir(parents=True)
    monkeypatch.delenv("CLERK_CONSOLE_DATA", raising=False)
    monkeypatch.setattr(importlib.resources, "files", lambda name: packaged)  # config asks it
    assert config.data_root() == packaged / "data"


def test_the_environment_points_elsewhere(monkeypatch, tmp_path):
    monkeypatch.setenv("CLERK_CONSOLE_DATA", str(tmp_path))
    assert config.data_root() == tmp_path


def test_the_version_has_one_source(capsys):
    import pytest

    from clerk_console.cli import main

    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out.strip() == f"clerk-console {clerk_console.__version__}"
    assert 'dynamic = ["version"]' in (REPO / "pyproject.toml").read_text(encoding="utf-8")
