"""Benchmark: detect the layout of a generated 5,000-question SIG-style workbook (23 sheets:
18 domain tabs, instructions, business information, a formula dashboard, a hidden lookup
list, a glossary) and read every answer, against pandas.read_excel reading every sheet of
the same file (``sheet_name=None``, openpyxl engine) as the baseline. Each is timed several
times, alternating, and the medians of wall and CPU time are compared (the machine may be
shared). Ours starts every run with its memoised readings cleared, as for a new file.
Prints questions/s, the ratios to pandas and peak memory (tracemalloc) of both.

    /work/venv/bin/python bench/questionnaire_layout.py            # 5,000 questions
    /work/venv/bin/python bench/questionnaire_layout.py --small    # 500 questions
"""
import argparse
import gc
import io
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _timed(function) -> tuple[float, float, object]:
    """Wall-clock and process CPU seconds of one call, and its result."""
    gc.collect()
    wall, cpu = time.perf_counter(), time.process_time()
    result = function()
    return time.perf_counter() - wall, time.process_time() - cpu, result


def _peak(function) -> int:
    """Peak traced memory (bytes) of one call."""
    gc.collect()
    tracemalloc.start()
    try:
        function()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="500 questions instead of 5,000")
    parser.add_argument("--questions", type=int, default=None)
    parser.add_argument("--runs", type=int, default=7, help="timed runs of each (the median is reported)")
    args = parser.parse_args()
    count = args.questions or (500 if args.small else 5000)

    import pandas as pd

    from tests.questionnaires.workbooks import sig
    from vendorrisk.questionnaires import vocabulary as vocab
    from vendorrisk.questionnaires.layout import detect
    from vendorrisk.questionnaires.profiles import load_profiles

    started = time.perf_counter()
    fixture = sig(count)
    generate = time.perf_counter() - started
    data = fixture.data
    profiles = load_profiles()  # read once per process, as the app keeps them

    def ours():
        vocab.clear_caches()
        return detect(data, profiles)

    def baseline():
        return pd.read_excel(io.BytesIO(data), sheet_name=None, engine="openpyxl")

    response, frames = ours(), baseline()  # warm-up: imports and first-call costs
    pandas_wall, pandas_cpu, our_wall, our_cpu = [], [], [], []
    for _ in range(args.runs):
        wall, cpu, frames = _timed(baseline)
        pandas_wall.append(wall)
        pandas_cpu.append(cpu)
        wall, cpu, response = _timed(ours)
        our_wall.append(wall)
        our_cpu.append(cpu)
    our_peak, pandas_peak = _peak(ours), _peak(baseline)

    assert len(response.questions) == count and response.format == "sig", (len(response.questions), response.format)
    assert len(response.answered) == len(fixture.answered)
    ours_s, theirs_s = statistics.median(our_wall), statistics.median(pandas_wall)
    ours_cpu, theirs_cpu = statistics.median(our_cpu), statistics.median(pandas_cpu)
    print(f"questions: {count}  sheets: {len(frames)}  workbook: {len(data) / 1024:.0f} KiB  "
          f"generate: {generate:.2f} s  runs: {args.runs} (medians)")
    print(f"vendorrisk detect (every sheet scored, answers read, format named): wall {ours_s:.3f} s  "
          f"cpu {ours_cpu:.3f} s  {count / ours_s:,.0f} questions/s  format {response.format}  "
          f"answered {len(response.answered)}  sheets read {len(response.sheets)}")
    print(f"pandas.read_excel(sheet_name=None, openpyxl) bare parse:            wall {theirs_s:.3f} s  "
          f"cpu {theirs_cpu:.3f} s  {count / theirs_s:,.0f} questions/s")
    print(f"ratio ours/pandas: wall {ours_s / theirs_s:.2f}  cpu {ours_cpu / theirs_cpu:.2f}  "
          "(<= 1.00 means no slower than the baseline)")
    print(f"peak memory (tracemalloc): ours {our_peak / 2**20:.1f} MiB, pandas {pandas_peak / 2**20:.1f} MiB")


if __name__ == "__main__":
    main()
