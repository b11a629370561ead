"""Printing on Windows: a PDF to a named printer, the job's outcome reported to the clerk.

The PDF goes through SumatraPDF when ``settings.pdf_viewer`` names it (silent, to the named
printer), else through the system's ``printto``/``print`` verb of the PDF reader. Before and
after sending, win32print (pywin32) tells whether the printer exists and whether it reports
an error (offline, out of paper, jammed …). ``api`` is the win32print module; tests pass fakes.
"""
from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

VIEWER_TIMEOUT = 60
SETTLE_SECONDS = 2.0  # a spooler needs a moment before a fresh error shows in the status
PRINTER_STATUS = {  # win32print.PRINTER_STATUS_* bits -> what the clerk is told
    0x00000002: "打印机报错", 0x00000008: "卡纸", 0x00000010: "缺纸", 0x00000080: "脱机",
    0x00000040: "需要人工处理", 0x00001000: "未连接", 0x00400000: "门未关好", 0x00000400: "纸盒已满",
}


def win32print_api():
    """The win32print module, or None off Windows / without pywin32."""
    try:
        import win32print  # type: ignore[import-not-found]
    except ImportError:
        return None
    return win32print


def _shell_api():
    try:
        import win32api  # type: ignore[import-not-found]
    except ImportError:
        return None
    return win32api


def printers(api) -> list[str]:
    flags = api.PRINTER_ENUM_LOCAL | api.PRINTER_ENUM_CONNECTIONS
    return [p[2] for p in api.EnumPrinters(flags, None, 1)]


def problems(api, name: str) -> list[str]:
    """The error states the printer ``name`` reports now ([] when none)."""
    handle = api.OpenPrinter(name)
    try:
        status = api.GetPrinter(handle, 2)["Status"]
    finally:
        api.ClosePrinter(handle)
    return [text for bit, text in PRINTER_STATUS.items() if status & bit]


def print_pdf(path: Path, printer: str, *, viewer: str = "", api=None, shell=None,
              run=subprocess.run, sleep=time.sleep) -> tuple[bool, str]:
    """Print ``path`` on ``printer`` ("" = the default printer); (ok, Chinese message)."""
    api = api if api is not None else win32print_api()
    if api is None and sys.platform != "win32":
        return False, "打印失败：本机不是 Windows，不能使用 Windows 打印机，请在设置中改用 cups 或 pdf"
    if api is None:
        return False, ("打印失败：缺少 Windows 打印组件（pywin32），请重新安装受理终端，"
                       "或在设置中改用 printer = \"pdf\"")
    try:
        name = printer or api.GetDefaultPrinter()
    except Exception:
        return False, "打印失败：这台电脑没有设置默认打印机，请在设置 printer_target 中填写打印机名称"
    known = printers(api)
    if name not in known:
        listed = "、".join(known) or "（无）"
        return False, f"打印失败：找不到打印机“{name}”。本机的打印机：{listed}。请在设置中核对 printer_target"
    before = problems(api, name)
    if before:
        return False, f"打印失败：打印机“{name}”{('、'.join(before))}，请处理后补打"
    if viewer:
        cmd = [viewer, "-print-to", name, "-silent", "-exit-when-done", str(path)]
        try:
            done = run(cmd, capture_output=True, timeout=VIEWER_TIMEOUT)
        except subprocess.TimeoutExpired:
            return False, f"打印失败：SumatraPDF 在 {VIEWER_TIMEOUT} 秒内没有完成，请检查打印机“{name}”"
        except OSError as exc:
            return False, f"打印失败：无法运行 {viewer}（{exc.strerror or exc}），请在设置 pdf_viewer 中核对路径"
        if done.returncode != 0:
            return False, f"打印失败：SumatraPDF 返回错误 {done.returncode}，请检查打印机“{name}”"
    else:
        shell = shell if shell is not None else _shell_api()
        if shell is None:
            return False, "打印失败：缺少 Windows 打印组件（pywin32），请重新安装受理终端"
        try:
            shell.ShellExecute(0, "printto", str(path), f'"{name}"', ".", 0)
        except Exception as exc:
            return False, (f"打印失败：没有能打印 PDF 的阅读器（{exc}）。请安装 PDF 阅读器，"
                           "或在设置 pdf_viewer 中填写 SumatraPDF.exe 的路径")
    sleep(SETTLE_SECONDS)
    after = problems(api, name)
    if after:
        return False, f"打印失败：打印机“{name}”{('、'.join(after))}，请处理后补打"
    return True, ""
