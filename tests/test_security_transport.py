"""Issue #10, transport: plain http was accepted without a word, the hall's own CA worked only
through an undocumented variable, and nothing stopped a server with another key. Each attack
here runs against a real TLS back office on loopback (uvicorn with a certificate of a CA made
for the test)."""
from __future__ import annotations

import datetime as dt
import socket
import subprocess
import sys
import threading

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from clerk_console.sync.client import (SyncClient, SyncRefused, TransportRefused,
                                       check_transport)
from support.wait import wait_for


def _cert(subject: str, key, issuer_key, issuer_name=None, *, ca: bool):
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)])
    now = dt.datetime.now(dt.timezone.utc)
    b = (x509.CertificateBuilder().subject_name(name).issuer_name(issuer_name or name)
         .public_key(key.public_key()).serial_number(x509.random_serial_number())
         .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=30))
         .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    if not ca:
        import ipaddress
        b = b.add_extension(x509.SubjectAlternativeName(
            [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
    return b.sign(issuer_key, hashes.SHA256())


def _pem(obj) -> bytes:
    if isinstance(obj, x509.Certificate):
        return obj.public_bytes(serialization.Encoding.PEM)
    return obj.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def _hall_ca(folder, name: str):
    """A hall CA and a server certificate for 127.0.0.1: (ca.pem, cert.pem, key.pem, pin)."""
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca = _cert(f"{name} CA", ca_key, ca_key, ca=True)
    cert = _cert("127.0.0.1", key, ca_key, ca.subject, ca=False)
    paths = [folder / f"{name}-{n}.pem" for n in ("ca", "cert", "key")]
    for path, obj in zip(paths, (ca, cert, key)):
        path.write_bytes(_pem(obj))
    import hashlib
    pin = hashlib.sha256(key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)).hexdigest()
    return (*paths, pin)


@pytest.fixture
def tls_backoffice(tmp_path):
    """The real back office over TLS on loopback: (url, ca.pem, pin, a second CA's files)."""
    import uvicorn

    from clerk_console.backoffice.app import create_app
    from clerk_console.backoffice.db import make_engine

    ca, cert, key, pin = _hall_ca(tmp_path, "hall")
    other = _hall_ca(tmp_path, "rogue")
    engine = make_engine(f"sqlite:///{tmp_path / 'bo.sqlite3'}")
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(engine), log_level="warning",
                                           ssl_certfile=str(cert), ssl_keyfile=str(key)))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    wait_for(lambda: server.started, "the TLS server started", seconds=15, step=0.02)
    yield f"https://127.0.0.1:{port}", str(ca), pin, other, engine
    server.should_exit = True
    thread.join(10)


@pytest.mark.parametrize("url", ["http://10.1.2.3:8700", "http://backoffice.hall.example",
                                 "http://[2001:db8::1]:8700", "ftp://127.0.0.1"])
def test_plain_http_beyond_loopback_is_refused(url):
    with pytest.raises(TransportRefused):
        SyncClient(url)
    with pytest.raises(TransportRefused):
        check_transport(url)


def test_plain_http_to_loopback_is_the_demo_and_allowed_http_is_warned():
    for url in ("http://127.0.0.1:8700", "http://localhost:8700", "http://[::1]:8700"):
        with SyncClient(url) as client:
            assert client.plain_http_warning == ""
    with SyncClient("http://10.1.2.3:8700", allow_plain_http=True) as client:
        assert "明文 http" in client.plain_http_warning


def test_the_halls_own_ca_works_through_ca_file(tls_backoffice):
    url, ca, pin, _other, _engine = tls_backoffice
    with SyncClient(url, attempts=1) as client:  # the system's CAs do not know the hall's
        with pytest.raises(SyncRefused, match="证书无法验证.*ca_file"):
            client.ping()
    with SyncClient(url, attempts=1, verify=ca) as client:
        client.ping()
        assert client.server_key_sha256 == pin


def test_a_server_with_another_key_is_refused_when_pinned(tls_backoffice, tmp_path):
    """The attack: a rogue server with a certificate the window's CAs accept (here: the rogue
    CA is trusted too) answers in the back office's place."""
    url, ca, pin, (rogue_ca, *_rest), _engine = tls_backoffice
    both = tmp_path / "both.pem"
    both.write_bytes(open(ca, "rb").read() + open(rogue_ca, "rb").read())
    with SyncClient(url, attempts=1, verify=str(both), pin_sha256=pin.upper()) as client:
        client.ping()  # the pinned key: accepted (case and colons do not matter)
    with SyncClient(url, attempts=1, verify=str(both), pin_sha256="ab" * 32) as client:
        with pytest.raises(SyncRefused, match="公钥与本窗口注册时记下的不符"):
            client.ping()


def test_enrollment_pins_the_key_and_later_rounds_check_it(tls_backoffice, tmp_path):
    from clerk_console.backoffice import service
    from clerk_console.storage.replica import Replica
    from clerk_console.sync.runner import KV_SERVER_KEY, client_for, sync_once

    url, ca, pin, _other, engine = tls_backoffice
    home = tmp_path / "window"
    home.mkdir()
    (home / "settings.toml").write_text(f'ca_file = "{ca}"\n', encoding="utf-8")
    with engine.begin() as conn:
        code = service.issue_enrollment_code(conn, "YT0101", region="370602",
                                             now=dt.datetime.now(dt.timezone.utc))
    out = subprocess.run([sys.executable, "-m", "clerk_console", "--data-dir", str(home),
                          "enroll", url, code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert pin in out.stdout
    with Replica.open(home / "replica.sqlite3") as rep:
        assert rep.get_kv(KV_SERVER_KEY) == pin
        with client_for(rep, attempts=1) as client:
            assert sync_once(rep, client).error == ""
        rep.set_kv(KV_SERVER_KEY, "cd" * 32)  # as if the back office's key were another's
        with client_for(rep, attempts=1) as client:
            report = sync_once(rep, client)
        assert "公钥与本窗口注册时记下的不符" in report.error


def test_enroll_refuses_plain_http_beyond_loopback(tmp_path):
    out = subprocess.run([sys.executable, "-m", "clerk_console", "--data-dir", str(tmp_path),
                          "enroll", "http://10.1.2.3:8700", "AAAA-BBBB-CCCC"],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 2 and "拒绝以明文 http 连接后台" in out.stderr
    assert not (tmp_path / "replica.sqlite3").exists()
