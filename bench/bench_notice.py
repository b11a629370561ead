"""Time to produce a notice: build the deferral notice + commitment Documents from a case and
render them to an A4 PDF (target: median <= 200 ms). Also reports the 80 mm receipt bytes and
the text preview. Uses the sample catalogue and cases of tests/test_printing.py.

    python bench/bench_notice.py            # 30 runs after one warm-up
    python bench/bench_notice.py --runs 5
"""
from __future__ import annotations

import argparse
import sys
import time

import benchlib

sys.path.insert(0, str(benchlib.ROOT / "tests"))

from test_printing import SETTINGS, make, sample_cases  # noqa: E402

from clerk_console.printing import documents, escpos, text  # noqa: E402

TARGET_MS = 200.0


def timed(fn, runs: int, clock=time.perf_counter) -> list[float]:
    fn()  # warm-up: fonts registered, templates cached, modules imported
    times = []
    for _ in range(runs):
        t0 = clock()
        fn()
        times.append((clock() - t0) * 1000)
    return times


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--runs", type=int, default=30)
    runs = p.parse_args().runs
    from clerk_console.printing import pdf

    case = sample_cases()["deferred"]
    kinds = documents.kinds_for(case)

    def deferral_pdf() -> bytes:
        return pdf.render([make(k, case) for k in kinds], SETTINGS).data

    size = len(deferral_pdf())
    print(f"deferral notice + commitment: {size} bytes of PDF, {runs} runs")
    t = timed(deferral_pdf, runs)
    benchlib.result("notice", "deferral_pdf_median", benchlib.median(t), "ms", TARGET_MS,
                    p95=round(benchlib.percentile(t, 95), 2), runs=runs)
    # CPU time of this process: the same work without the other processes' load
    t = timed(deferral_pdf, runs, time.process_time)
    benchlib.result("notice", "deferral_pdf_cpu_median", benchlib.median(t), "ms", TARGET_MS, runs=runs)
    receipt = make("receipt", sample_cases()["accepted"])
    t = timed(lambda: escpos.render(receipt), runs)
    benchlib.result("notice", "receipt_escpos_median", benchlib.median(t), "ms", None, runs=runs)
    t = timed(lambda: text.render(receipt), runs)
    benchlib.result("notice", "text_preview_median", benchlib.median(t), "ms", None, runs=runs)


if __name__ == "__main__":
    main()
