"""A window's replica with an accepted case, and the QR codes of a PDF decoded back, for the
progress-QR and results tests."""
from __future__ import annotations

import shutil
import subprocess

import pytest

from clerk_console.domain.case import MaterialState, Outcome
from clerk_console.services import intake
from clerk_console.storage.replica import Replica

from conftest import ENTERPRISE, NOW


def open_window(path, catalogue) -> Replica:
    """A window's replica with the catalogue, one clerk (c1) and the test enterprise."""
    replica = Replica.open(path)
    with replica.write():
        replica.store_catalogue(catalogue, at=NOW)
        replica.set_window("YT0101", "综合受理1号窗口", "烟台市政务服务中心")
        replica.add_clerk("c1", "张敏", "111111", "clerk")
    replica.save_applicant(ENTERPRISE, "c1", at=NOW)
    return replica


def accept(replica, items=("FOOD",), bundle=None):
    """The enterprise's case accepted at the window, every material received."""
    draft = intake.new_draft(replica, window="YT0101", clerk_id="c1", applicant=ENTERPRISE,
                             items=list(items), bundle=bundle, now=NOW)
    for line in draft.materials:
        if line.state is MaterialState.PENDING:
            draft = intake.set_material(draft, line.code, MaterialState.RECEIVED, original=True)
    return intake.close_intake(replica, draft, Outcome.ACCEPTED, clerk_id="c1", now=NOW)


def decode_qr(data: bytes, tmp_path) -> list[str]:
    """The QR codes of the PDF's first page, rendered at 200 dpi and decoded by zxing-cpp."""
    zxingcpp = pytest.importorskip("zxingcpp")
    from PIL import Image

    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    src = tmp_path / "qr.pdf"
    src.write_bytes(data)
    subprocess.run(["pdftoppm", "-r", "200", "-f", "1", "-l", "1", "-png", str(src),
                    str(tmp_path / "page")], check=True)
    page = next(tmp_path.glob("page*.png"))
    return [b.text for b in zxingcpp.read_barcodes(Image.open(page))]
