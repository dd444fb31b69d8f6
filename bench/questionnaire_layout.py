"""Benchmark: a generated 5,000-question SIG-style workbook (23 sheets: 18 domain tabs,
instructions, business information, a formula dashboard, a hidden lookup list, a glossary),
against pandas.read_excel reading every sheet of the same file (``sheet_name=None``,
openpyxl engine) as the baseline:

- detection: the layout detected and every answer read (``layout.detect``);
- import: the whole import as the page and the API run it — upload gate, our-workbook
  check, detection, the format recognised, answers mapped onto our questions and scored
  per article, the file stored, 5,000 answers, findings and the audit entry written, and
  the transaction committed (SQLite in a temporary folder).

Each is timed several times, alternating with pandas, and the medians of wall and CPU time
are compared (the machine may be shared). Ours starts every run with its memoised readings
cleared, as for a new file; between import runs the stored response is removed, untimed.
Prints questions/s, the ratios to pandas and peak memory (tracemalloc).

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


def _import_runner(data: bytes, work: Path):
    """An app on a scratch database and a function importing ``data`` anew each call."""
    from sqlalchemy import delete

    from vendorrisk import create_app
    from vendorrisk.core import migrate, storage
    from vendorrisk.core.db import engine_of, transaction
    from vendorrisk.core.models import StoredFile
    from vendorrisk.questionnaires import service
    from vendorrisk.questionnaires.models import QuestionnaireResponse
    from vendorrisk.vendors.findings import Finding
    from vendorrisk.vendors.models import Vendor

    app = create_app({"TESTING": True, "SECRET_KEY": "bench-secret-key-0123456789",
                      "DATABASE_URL": f"sqlite:///{work / 'bench.sqlite'}", "INSTANCE_PATH": str(work / "instance"),
                      "LOG_LEVEL": "WARNING"})
    migrate.upgrade(app)
    key = service.signing_key(app.config["SECRET_KEY"])
    context = app.app_context()
    context.push()
    with transaction(engine=engine_of(app)) as session:
        vendor = Vendor(name="株式会社ベンチ", name_normalized="ベンチ")
        session.add(vendor)
    vendor_id = vendor.id

    def run():
        with transaction(engine=engine_of(app)) as session:
            upload = service.inspect_questionnaire(data, "SIG_vendor.xlsx")
            return service.import_response(session, vendor_id=vendor_id, upload=upload, key=key)

    def forget(result) -> None:
        response = result.response
        with transaction(engine=engine_of(app)) as session:
            session.execute(delete(Finding).where(Finding.source_ref.like(f"questionnaire_response:{response.id}:%")))
            session.execute(delete(QuestionnaireResponse).where(QuestionnaireResponse.id == response.id))
            session.execute(delete(StoredFile).where(StoredFile.id == response.file_id))
        storage.backend()._path(response.file_sha256).unlink(missing_ok=True)
    return run, forget, context


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="500 questions instead of 5,000")
    parser.add_argument("--questions", type=int, default=None)
    parser.add_argument("--runs", type=int, default=7, help="timed runs of each (the median is reported)")
    parser.add_argument("--no-import", action="store_true", help="time the detection only")
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
    if args.no_import:
        return

    import tempfile
    run, forget, context = _import_runner(data, Path(tempfile.mkdtemp(prefix="bench-questionnaire-import-")))
    try:
        def imported():
            vocab.clear_caches()
            return run()
        forget(imported())  # warm-up: the database file, first-call costs
        import_wall, import_cpu, base_wall, base_cpu = [], [], [], []
        for _ in range(args.runs):
            wall, cpu, frames = _timed(baseline)
            base_wall.append(wall)
            base_cpu.append(cpu)
            wall, cpu, result = _timed(imported)
            import_wall.append(wall)
            import_cpu.append(cpu)
            assert not result.duplicate and result.questions == count, (result.duplicate, result.questions)
            forget(result)
        import_peak = _peak(lambda: forget(imported()))
    finally:
        context.pop()
    ours_s, theirs_s = statistics.median(import_wall), statistics.median(base_wall)
    ours_cpu, theirs_cpu = statistics.median(import_cpu), statistics.median(base_cpu)
    print(f"vendorrisk import (gate, detect, map, score per article, store {count:,} answers, findings, commit): "
          f"wall {ours_s:.3f} s  cpu {ours_cpu:.3f} s  {count / ours_s:,.0f} questions/s  format {result.format}  "
          f"answered {result.answered}  score {result.score}  flags {result.flags}")
    print(f"pandas.read_excel(sheet_name=None, openpyxl) bare parse:            wall {theirs_s:.3f} s  "
          f"cpu {theirs_cpu:.3f} s")
    print(f"import ratio ours/pandas: wall {ours_s / theirs_s:.2f}  cpu {ours_cpu / theirs_cpu:.2f}  "
          "(<= 1.00 means no slower than the baseline)")
    print(f"peak memory of the import (tracemalloc): {import_peak / 2**20:.1f} MiB")


if __name__ == "__main__":
    main()
