"""Windows printing against fakes of win32print / ShellExecute / SumatraPDF: the named printer
is checked, the job sent, and its success or failure told to the clerk in Chinese."""
from __future__ import annotations

import subprocess

from clerk_console.printing import windows


class FakeSpooler:
    PRINTER_ENUM_LOCAL, PRINTER_ENUM_CONNECTIONS = 2, 4

    def __init__(self, names=("HP LaserJet", "Receipt"), default="HP LaserJet",
                 status=(0, 0)):
        self.names, self.default, self.status = list(names), default, list(status)
        self.opened = []

    def EnumPrinters(self, flags, name, level):
        assert flags == 6 and level == 1
        return [(0, f"{n},,", n, "") for n in self.names]

    def GetDefaultPrinter(self):
        if self.default is None:
            raise OSError("no default")
        return self.default

    def OpenPrinter(self, name):
        self.opened.append(name)
        return name

    def GetPrinter(self, handle, level):
        return {"Status": self.status.pop(0) if len(self.status) > 1 else self.status[0]}

    def ClosePrinter(self, handle):
        pass


class FakeShell:
    def __init__(self, fail=False):
        self.calls, self.fail = [], fail

    def ShellExecute(self, *args):
        if self.fail:
            raise OSError("没有与之关联的应用")
        self.calls.append(args)


def send(tmp_path, spooler, printer="", **kw):
    pdf = tmp_path / "notice.pdf"
    pdf.write_bytes(b"%PDF-1.4")
    kw.setdefault("shell", FakeShell())
    return windows.print_pdf(pdf, printer, api=spooler, sleep=lambda s: None, **kw), pdf, kw["shell"]


def test_the_pdf_goes_to_the_named_printer_through_printto(tmp_path):
    (ok, message), pdf, shell = send(tmp_path, FakeSpooler(), "HP LaserJet")
    assert ok and message == ""
    assert shell.calls == [(0, "printto", str(pdf), '"HP LaserJet"', ".", 0)]


def test_an_unknown_printer_lists_the_ones_there_are(tmp_path):
    (ok, message), _, shell = send(tmp_path, FakeSpooler(), "Canon")
    assert not ok and "找不到打印机“Canon”" in message and "HP LaserJet、Receipt" in message
    assert shell.calls == []


def test_no_default_printer_is_said(tmp_path):
    (ok, message), _, _ = send(tmp_path, FakeSpooler(default=None))
    assert not ok and "没有设置默认打印机" in message


def test_a_printer_out_of_paper_before_or_after_the_job_is_reported(tmp_path):
    (ok, message), _, shell = send(tmp_path, FakeSpooler(status=(0x10,)), "HP LaserJet")
    assert not ok and "缺纸" in message and shell.calls == []
    (ok, message), _, shell = send(tmp_path, FakeSpooler(status=(0, 0x80 | 0x08)), "HP LaserJet")
    assert not ok and "卡纸、脱机" in message and len(shell.calls) == 1


def test_no_pdf_reader_is_reported(tmp_path):
    (ok, message), _, _ = send(tmp_path, FakeSpooler(), shell=FakeShell(fail=True))
    assert not ok and "PDF 阅读器" in message and "pdf_viewer" in message


def test_sumatra_prints_silently_to_the_named_printer(tmp_path):
    calls = []

    def run(cmd, **kw):
        calls.append(cmd)
        return subprocess.CompletedProcess(cmd, 0 if len(calls) == 1 else 1)

    (ok, _), pdf, _ = send(tmp_path, FakeSpooler(), "Receipt", viewer=r"C:\Sumatra\SumatraPDF.exe",
                           run=run)
    assert ok and calls[0] == [r"C:\Sumatra\SumatraPDF.exe", "-print-to", "Receipt", "-silent",
                               "-exit-when-done", str(pdf)]
    (ok, message), _, _ = send(tmp_path, FakeSpooler(), "Receipt", viewer="SumatraPDF.exe", run=run)
    assert not ok and "SumatraPDF 返回错误 1" in message


def test_a_receipt_printer_installed_in_windows_is_a_win32raw_target():
    from clerk_console.printing.printers import _transport

    cls, kwargs = _transport("win32:POS-80C")
    assert cls.__name__ == "Win32Raw" and kwargs == {"printer_name": "POS-80C"}
