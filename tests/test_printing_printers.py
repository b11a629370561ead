"""Printing to a folder, CUPS and an ESC/POS device; failures come back in Chinese."""
from __future__ import annotations

import os
import socket
import stat
import threading
from pathlib import Path

import pytest

from clerk_console.config import Settings
from clerk_console.printing import escpos
from clerk_console.printing.printers import print_document, print_documents, send_escpos
from support.printing import flat, make, pdf_text, sample_cases


def _docs(name="deferred"):
    from clerk_console.printing.documents import kinds_for

    case = sample_cases()[name]
    return [make(k, case) for k in kinds_for(case)]


def test_pdf_folder_default_is_home_notices(tmp_path):
    result = print_documents(_docs(), Settings(), home=tmp_path)
    assert result.ok and result.path == tmp_path / "notices" / "YT0103-20261127-0002-deferral_notice-all.pdf"
    text = flat(pdf_text(result.path.read_bytes()))
    assert "容缺受理通知书" in text and "容缺受理承诺书" in text
    assert "已保存为 PDF" in result.message


def test_pdf_folder_from_settings_and_unwritable_folder(tmp_path):
    out = tmp_path / "out"
    result = print_document(_docs("accepted")[0], Settings(pdf_folder=str(out)), home=tmp_path)
    assert result.ok and result.path.parent == out and result.path.exists()
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = print_document(_docs("accepted")[0], Settings(pdf_folder=str(blocker / "sub")), home=tmp_path)
    assert not result.ok and "无法在" in result.message and "办件已保存" in result.message


def _fake_lp(folder: Path, body: str) -> None:
    lp = folder / "lp"
    lp.write_text("#!/bin/sh\n" + body + "\n")
    lp.chmod(lp.stat().st_mode | stat.S_IEXEC)


def test_cups_without_lp_reports_in_chinese_and_keeps_pdf(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    result = print_document(_docs("accepted")[0], Settings(printer="cups", printer_target="Q1"), home=tmp_path)
    assert not result.ok and "找不到打印命令 lp" in result.message
    assert result.path and result.path.exists()


def test_cups_lp_failure_and_unknown_queue(tmp_path, monkeypatch):
    bin_ = tmp_path / "bin"
    bin_.mkdir()
    monkeypatch.setenv("PATH", f"{bin_}{os.pathsep}{os.environ['PATH']}")
    _fake_lp(bin_, 'echo "lp: The printer or class does not exist." >&2; exit 1')
    result = print_document(_docs("accepted")[0], Settings(printer="cups", printer_target="NOPE"), home=tmp_path)
    assert not result.ok and "打印队列“NOPE”不存在" in result.message and "可稍后补打" in result.message
    _fake_lp(bin_, 'echo "lp: Error - Scheduler not responding." >&2; exit 1')
    result = print_document(_docs("accepted")[0], Settings(printer="cups", printer_target="Q1"), home=tmp_path)
    assert not result.ok and "CUPS）没有运行" in result.message
    _fake_lp(bin_, 'echo "lp: Error - printer jammed" >&2; exit 1')
    result = print_document(_docs("accepted")[0], Settings(printer="cups", printer_target="Q1"), home=tmp_path)
    assert not result.ok and "打印失败" in result.message and "printer jammed" in result.message


def test_cups_success_passes_queue_and_file(tmp_path, monkeypatch):
    bin_ = tmp_path / "bin"
    bin_.mkdir()
    monkeypatch.setenv("PATH", f"{bin_}{os.pathsep}{os.environ['PATH']}")
    log = tmp_path / "lp.args"
    _fake_lp(bin_, f'echo "$@" > {log}; echo "request id is Q1-1 (1 file(s))"')
    result = print_document(_docs("accepted")[0], Settings(printer="cups", printer_target="Q1"), home=tmp_path)
    assert result.ok, result.message
    assert log.read_text().split() == ["-d", "Q1", str(result.path)]


def test_windows_printer_off_windows_and_unknown_kind(tmp_path):
    if hasattr(os, "startfile"):
        pytest.skip("on Windows this would really print")
    result = print_document(_docs("accepted")[0], Settings(printer="windows"), home=tmp_path)
    assert not result.ok and "不是 Windows" in result.message
    result = print_document(_docs("accepted")[0], Settings(printer="laser"), home=tmp_path)
    assert not result.ok and "无法识别" in result.message and result.path.exists()


def test_escpos_over_network_to_a_real_socket(tmp_path):
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    received = bytearray()

    def serve():
        conn, _ = server.accept()
        with conn:
            while chunk := conn.recv(65536):
                received.extend(chunk)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    doc = _docs("accepted")[0]
    settings = Settings(printer="escpos", printer_target=f"tcp://127.0.0.1:{server.getsockname()[1]}")
    result = print_document(doc, settings, home=tmp_path)
    thread.join(10)
    server.close()
    assert result.ok, result.message
    assert bytes(received) == escpos.render(doc)


def test_escpos_device_file_and_offline_printer(tmp_path):
    doc = _docs("signposted")[0]
    dev = tmp_path / "lp0"
    result = print_document(doc, Settings(printer="escpos", printer_target=str(dev)), home=tmp_path)
    assert result.ok and dev.read_bytes() == escpos.render(doc)
    free = socket.socket()
    free.bind(("127.0.0.1", 0))
    port = free.getsockname()[1]
    free.close()  # nothing listens there now
    result = print_document(doc, Settings(printer="escpos", printer_target=f"tcp://127.0.0.1:{port}"),
                            home=tmp_path)
    assert not result.ok and "无法连接" in result.message and "可稍后补打" in result.message
    ok, message = send_escpos(b"x", "")
    assert not ok and "printer_target" in message
    ok, message = send_escpos(b"x", "usb:zz")
    assert not ok and "格式不对" in message
    result = print_document(doc, Settings(printer="escpos", printer_target=str(tmp_path / "no" / "dir")),
                            home=tmp_path)
    assert not result.ok and "小票打印机" in result.message


def test_a4_only_documents_on_a_thermal_window_go_to_pdf(tmp_path):
    result = print_documents(_docs("deferred"), Settings(printer="escpos", printer_target="tcp://127.0.0.1:9"),
                             home=tmp_path)
    assert not result.ok and "A4 打印机" in result.message and result.path.exists()


def test_usb_and_serial_without_their_libraries_say_so(monkeypatch):
    from escpos import printer

    for cls, target in ((printer.Usb, "usb:0416:5011"), (printer.Serial, "serial:/dev/ttyS0:19200")):
        monkeypatch.setattr(cls, "is_usable", staticmethod(lambda: False))
        ok, message = send_escpos(b"x", target)
        assert not ok and "组件未安装" in message
