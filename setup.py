"""Build step: the top-level ``data/`` folder (the editable source of the catalogue, calendar,
wording templates and demo data) goes into the wheel as the package data ``clerk_console/data``.

An editable install (``pip install -e .``) copies nothing: ``config.data_root()`` then finds the
top-level folder, so edits to ``data/`` take effect at once. Everything else is in pyproject.toml.
"""
import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

DATA = Path(__file__).resolve().parent / "data"


class build_py_with_data(build_py):
    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        target = Path(self.build_lib) / "clerk_console" / "data"
        shutil.copytree(DATA, target, dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))


setup(cmdclass={"build_py": build_py_with_data})
