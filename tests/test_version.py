"""One version everywhere: the package's `__version__` (which pyproject.toml reads), what
`clerk-console --version` prints, the CHANGELOG's latest release, and an annotated git tag
`vX.Y.Z` for every release the CHANGELOG lists, at a commit that carries that version."""
from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import clerk_console

ROOT = Path(__file__).resolve().parent.parent
RELEASE = re.compile(r"^## \[(\d+\.\d+\.\d+)\] - (\d{4}-\d{2}-\d{2})\s*$", re.M)
VERSION_LINE = re.compile(r'^(?:__version__|version) = "(\d+\.\d+\.\d+)"', re.M)


def changelog_releases(text: str) -> list[str]:
    """Released versions in the order the CHANGELOG lists them (newest first)."""
    return [m.group(1) for m in RELEASE.finditer(text)]


def git(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, text=True)


def test_pyproject_reads_the_version_from_the_package():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["project"]["dynamic"] == ["version"]
    assert "version" not in project["project"]
    assert project["tool"]["setuptools"]["dynamic"]["version"] == {
        "attr": "clerk_console.__version__"}


def test_cli_version_matches_the_package_and_the_latest_release():
    done = subprocess.run([sys.executable, "-m", "clerk_console", "--version"], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"clerk-console {clerk_console.__version__}"
    releases = changelog_releases((ROOT / "CHANGELOG.md").read_text(encoding="utf-8"))
    assert releases, "CHANGELOG.md lists no release"
    assert releases[0] == clerk_console.__version__


def test_changelog_releases_are_unique_and_newest_first():
    releases = changelog_releases((ROOT / "CHANGELOG.md").read_text(encoding="utf-8"))
    keys = [tuple(int(p) for p in v.split(".")) for v in releases]
    assert len(set(keys)) == len(keys), f"a release is listed twice: {releases}"
    assert keys == sorted(keys, reverse=True)


def test_the_release_parser_can_fail():
    assert changelog_releases("## [Unreleased]\n## [0.2.0] - 2027-01-05\n## [0.1.0] - x\n") == [
        "0.2.0"]


def test_every_release_has_an_annotated_tag_at_its_version():
    if git("rev-parse", "--git-dir").returncode != 0:
        pytest.skip("not a git checkout (installed package)")
    if not git("tag", "--list", "v*").stdout.strip():
        pytest.skip("the clone has no tags (fetch them with `git fetch --tags`)")
    releases = changelog_releases((ROOT / "CHANGELOG.md").read_text(encoding="utf-8"))
    for version in releases:
        tag = f"v{version}"
        kind = git("cat-file", "-t", tag).stdout.strip()
        assert kind == "tag", f"{tag}: no annotated tag (git tag -a {tag} <commit>)"
        # The version at the tagged commit: clerk_console/__init__.py, or pyproject.toml in the
        # releases before the version moved into the package.
        found = set()
        for path in ("clerk_console/__init__.py", "pyproject.toml"):
            shown = git("show", f"{tag}:{path}")
            found.update(VERSION_LINE.findall(shown.stdout) if shown.returncode == 0 else [])
        assert found == {version}, f"{tag} points at a commit whose version is {found}"
        assert git("merge-base", "--is-ancestor", tag, "HEAD").returncode == 0, (
            f"{tag} is not on this branch's history")
