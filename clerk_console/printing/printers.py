"""Send documents to the window's printer. Never raises: a failure comes back as a Chinese
message in ``PrintResult`` and the case, already saved, is untouched.

``settings.printer``: ``pdf`` (save to ``settings.pdf_folder``, default ``<home>/notices``),
``cups`` (``lp -d QUEUE``), ``windows`` (the Windows default printer) or ``escpos`` (80 mm
thermal printer at ``settings.printer_target``: ``tcp://host:9100``, ``serial:/dev/ttyS0[:baud]``,
``usb:VID:PID`` or a device file such as ``/dev/usb/lp0``). Every A4 document is also kept as a
PDF in the folder, so it can be reprinted by hand.
"""
from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from clerk_console.config import Settings
from clerk_console.private_files import private_dir, private_file

from .documents import THERMAL_KINDS, Document

LP_TIMEOUT = 30
NETWORK_TIMEOUT = 5


@dataclass(frozen=True)
class PrintResult:
    ok: bool
    message: str  # Chinese, for the clerk
    path: Path | None = None  # the PDF kept in the folder, when one was written
    warnings: tuple[str, ...] = ()  # rare characters, template problems ...


def pdf_folder(settings: Settings, home: Path) -> Path:
    return Path(settings.pdf_folder) if settings.pdf_folder else home / "notices"


def _titles(docs: list[Document]) -> str:
    return "、".join(f"《{d.title}》" for d in docs)


def save_pdf(docs: list[Document], settings: Settings, folder: Path) -> tuple[Path, tuple[str, ...]]:
    """Write the documents as one PDF in ``folder``; raises OSError when it cannot."""
    from . import pdf  # reportlab is loaded only when a PDF is made

    rendered = pdf.render(docs, settings)
    private_dir(folder)  # notices carry names and ID numbers: the user's own
    path = folder / (docs[0].file_stem + ("" if len(docs) == 1 else "-all") + ".pdf")
    tmp = path.with_suffix(".pdf.part")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(rendered.data)
    private_file(tmp)
    os.replace(tmp, path)
    warnings = tuple(dict.fromkeys(rendered.warnings + tuple(w for d in docs for w in d.warnings)))
    return path, warnings


def print_document(doc: Document, settings: Settings, *, home: Path) -> PrintResult:
    return print_documents([doc], settings, home=home)


def print_documents(docs: list[Document], settings: Settings, *, home: Path) -> PrintResult:
    """Print the documents of one case on the configured printer."""
    if not docs:
        return PrintResult(False, "没有需要打印的文书")
    kind = (settings.printer or "pdf").strip().lower()
    if kind == "escpos" and all(d.kind in THERMAL_KINDS for d in docs):
        return _escpos(docs, settings)
    folder = pdf_folder(settings, home)
    try:
        path, warnings = save_pdf(docs, settings, folder)
    except OSError as exc:
        return PrintResult(False, f"无法在 {folder} 保存 PDF（{exc.strerror or exc}）。"
                           "请检查文件夹是否存在、是否有写入权限、磁盘是否已满；办件已保存，可稍后补打。")
    except Exception as exc:  # a rendering bug must not lose the clerk's work either
        return PrintResult(False, f"生成 PDF 失败（{exc}）。办件已保存，请联系技术支持后补打。")
    if kind == "pdf":
        return PrintResult(True, f"{_titles(docs)}已保存为 PDF：{path}", path, warnings)
    if kind == "cups":
        ok, message = _lp(path, settings.printer_target)
    elif kind == "windows":
        from . import windows

        ok, message = windows.print_pdf(path, settings.printer_target,
                                        viewer=settings.pdf_viewer)
    elif kind == "escpos":
        ok, message = False, ("小票打印机只能打印受理回执和办事指引单，"
                              f"{_titles(docs)}已保存为 PDF：{path}，请用 A4 打印机打印。")
        return PrintResult(ok, message, path, warnings)
    else:
        ok, message = False, (f"打印机类型“{settings.printer}”无法识别（可选 pdf、cups、windows、escpos），"
                              f"请在 settings.toml 中更正。")
    tail = f"{_titles(docs)}已发送到打印机" if ok else f"PDF 已保存在 {path}，可稍后补打"
    return PrintResult(ok, f"{message}；{tail}" if message else tail, path, warnings)


def _lp(path: Path, queue: str) -> tuple[bool, str]:
    exe = shutil.which("lp")
    if exe is None:
        return False, "打印失败：找不到打印命令 lp，请安装 CUPS 或在设置中改用“保存 PDF”"
    cmd = [exe] + (["-d", queue] if queue else []) + [str(path)]
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=LP_TIMEOUT)
    except subprocess.TimeoutExpired:
        return False, "打印失败：打印服务无响应，请检查打印机是否开机、联网"
    except OSError as exc:
        return False, f"打印失败：无法运行 lp（{exc.strerror or exc}）"
    if done.returncode == 0:
        return True, ""
    err = (done.stderr or done.stdout).strip()
    low = err.lower()
    if "does not exist" in low or "unknown destination" in low or "not exist" in low:
        return False, f"打印失败：打印队列“{queue}”不存在，请在设置中核对打印机名称"
    if "scheduler not responding" in low or "connection refused" in low:
        return False, "打印失败：打印服务（CUPS）没有运行，请联系技术支持启动打印服务，或改用“保存 PDF”"
    if "no default destination" in low:
        return False, "打印失败：没有设置默认打印机，请在设置中填写打印队列名称"
    if "not accepting" in low or "paused" in low or "disabled" in low:
        return False, f"打印失败：打印机“{queue}”已暂停或不接收任务，请检查打印机（缺纸、卡纸、离线）"
    return False, f"打印失败：lp 返回错误（{err or done.returncode}），请检查打印机是否开机、有纸"


def _transport(target: str) -> tuple[type, dict]:
    """The python-escpos printer class for ``target`` and its arguments; raises ValueError
    with a Chinese message when the target cannot be understood."""
    from escpos import printer

    t = target.strip()
    if t.startswith("tcp://"):
        host, _, port = t[len("tcp://"):].partition(":")
        if not host or (port and not port.isdigit()):
            raise ValueError(f"网络打印机地址“{target}”格式不对，应为 tcp://IP地址:9100")
        return printer.Network, {"host": host, "port": int(port or 9100), "timeout": NETWORK_TIMEOUT}
    if t.startswith("serial:"):
        parts = t[len("serial:"):].split(":")
        baud = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 9600
        return printer.Serial, {"devfile": parts[0], "baudrate": baud, "timeout": NETWORK_TIMEOUT}
    if t.startswith("win32:"):  # a receipt printer installed in Windows, by its name
        return printer.Win32Raw, {"printer_name": t[len("win32:"):]}
    if t.startswith("usb:"):
        try:
            vid, pid = (int(x, 16) for x in t[len("usb:"):].split(":"))
        except ValueError:
            raise ValueError(f"USB 打印机“{target}”格式不对，应为 usb:厂商ID:产品ID"
                             "（十六进制，如 usb:0416:5011）") from None
        return printer.Usb, {"idVendor": vid, "idProduct": pid}
    if t:
        return printer.File, {"devfile": t}
    raise ValueError("没有设置小票打印机地址（printer_target），请在 settings.toml 中填写，"
                     "如 tcp://192.168.1.50:9100")


def send_escpos(data: bytes, target: str) -> tuple[bool, str]:
    """Send raw ESC/POS bytes; (ok, Chinese message)."""
    try:
        cls, kwargs = _transport(target)
    except ValueError as exc:
        return False, str(exc)
    if not cls.is_usable():
        return False, (f"小票打印机（{target}）所需的组件未安装（USB 需要 pyusb，串口需要 pyserial，Windows 打印机需要 pywin32），"
                       "请联系技术支持安装，或改用网络打印机 tcp://IP地址:9100")
    device = None
    try:
        device = cls(**kwargs)
        device.open()
        device._raw(data)
    except Exception as exc:  # transports raise socket, serial, usb and escpos errors
        return False, (f"小票打印机（{target}）无法连接或打印失败（{exc}）："
                       "请检查打印机电源、连线或网络，是否缺纸；办件已保存，可稍后补打")
    finally:
        if device is not None:
            try:
                device.close()
            except Exception:
                pass
    return True, ""


def _escpos(docs: list[Document], settings: Settings) -> PrintResult:
    from . import escpos

    data = b"".join(escpos.render(d) for d in docs)
    warnings = tuple(dict.fromkeys(w for d in docs for w in d.printable().warnings))
    ok, message = send_escpos(data, settings.printer_target)
    if ok:
        return PrintResult(True, f"{_titles(docs)}已在小票打印机打印", None, warnings)
    return PrintResult(False, message, None, warnings)
