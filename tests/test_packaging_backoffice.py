"""The back office's deployment files parse and say what the CLI accepts (Docker and systemd
cannot run on the test machine: this checks the files, not a running container)."""
from __future__ import annotations

import configparser
import json
import shlex
from pathlib import Path

import yaml  # PyYAML: already installed as a dependency of python-escpos

from clerk_console.backoffice.cli import build_parser

ROOT = Path(__file__).resolve().parents[1]
HERE = ROOT / "packaging" / "backoffice"


def _serve_args(command: str, **env: str):
    """``command`` (``clerk-backoffice serve …``) parsed by the real CLI parser."""
    for name, value in env.items():
        command = command.replace(f"${{{name}}}", value).replace(f'"${name}"', value)
    words = shlex.split(command)
    assert Path(words[0]).name == "clerk-backoffice", words
    return build_parser().parse_args(words[1:])


def test_systemd_unit_has_the_needed_keys_and_a_valid_command():
    unit = configparser.ConfigParser(strict=False, interpolation=None)
    unit.optionxform = str  # systemd keys are case-sensitive
    unit.read_string((HERE / "clerk-backoffice.service").read_text(encoding="utf-8"))
    assert unit["Unit"]["Description"] and "network-online.target" in unit["Unit"]["After"]
    service = unit["Service"]
    for key in ("User", "ExecStart", "Restart", "EnvironmentFile", "WorkingDirectory"):
        assert service.get(key), key
    assert service["User"] != "root"
    args = _serve_args(service["ExecStart"], CLERK_BACKOFFICE_WORKERS="4")
    assert args.command == "serve" and args.workers == 4 and args.host == "0.0.0.0"
    assert unit["Install"]["WantedBy"] == "multi-user.target"


def test_compose_file_loads_and_wires_the_back_office_to_postgres():
    compose = yaml.safe_load((HERE / "docker-compose.yml").read_text(encoding="utf-8"))
    db, bo = compose["services"]["db"], compose["services"]["backoffice"]
    assert db["image"].startswith("postgres:")
    context = (HERE / bo["build"]["context"]).resolve()
    assert context == ROOT and (context / bo["build"]["dockerfile"]).is_file()
    env = bo["environment"]
    assert env["CLERK_BACKOFFICE_DB"].startswith("postgresql://")
    assert f"@db:5432/{db['environment']['POSTGRES_DB']}" in env["CLERK_BACKOFFICE_DB"]
    assert bo["depends_on"]["db"]["condition"] == "service_healthy"
    assert bo["ports"] == ["8700:8700"]


def test_dockerfile_copies_what_exists_and_serves_with_a_health_check():
    lines = [ln for ln in (HERE / "Dockerfile").read_text(encoding="utf-8").splitlines()
             if ln and not ln.startswith("#")]
    copies = [shlex.split(ln)[1:-1] for ln in lines if ln.startswith("COPY ")]
    assert copies and all((ROOT / src).exists() for srcs in copies for src in srcs)
    health = next(ln for ln in lines if ln.startswith("HEALTHCHECK"))
    assert "/v1/health" in "".join(lines[lines.index(health):lines.index(health) + 2])
    cmd = next(ln for ln in lines if ln.startswith("CMD "))
    shell = json.loads(cmd[4:])  # the exec form: ["sh", "-c", "exec clerk-backoffice …"]
    assert shell[:2] == ["sh", "-c"]
    shell = shell[2]
    args = _serve_args(shell.removeprefix("exec "), CLERK_BACKOFFICE_WORKERS="2")
    assert args.command == "serve" and args.workers == 2 and args.port == 8700
