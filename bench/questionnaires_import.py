"""Benchmark: import a generated N-question workbook end to end (inspect, parse, validate,
store, score) and, in the same run, parse the same file with pandas.read_excel (openpyxl
engine) as the baseline. Each is timed several times, alternating, and the medians of wall
and CPU time are compared (the machine may be shared); between runs the stored response is
removed, untimed, so that every run is a first import. Prints rows/s, the ratios to pandas
and peak memory (tracemalloc) of both.

    /work/venv/bin/python bench/questionnaires_import.py            # 5,000 questions
    /work/venv/bin/python bench/questionnaires_import.py --small    # 500 questions
"""
import argparse
import gc
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def write_template(folder: Path, count: int) -> None:
    """A template of ``count`` questions: mostly yes/no/n.a., some choices, numbers, text, dates."""
    kinds = ["yes_no_na"] * 6 + ["single_choice", "number", "text", "date"]
    questions = []
    for n in range(1, count + 1):
        kind = kinds[n % len(kinds)]
        question = {"id": f"B-{n:05d}", "text": {"ja": f"設問 {n}：管理策は整備されていますか。",
                                                 "en": f"Question {n}: is the control in place?"},
                    "article": f"26({1 + n % 4})", "type": kind, "required": n % 3 != 0, "weight": 0}
        if kind == "yes_no_na":
            question.update(expected="yes", weight=1, flag={"answers": ["no"], "severity": "medium"})
        elif kind == "single_choice":
            question.update(choices=[{"value": v, "ja": j, "en": e} for v, j, e in
                                     (("full", "全面的に実施", "Fully"), ("part", "一部実施", "Partly"),
                                      ("none", "未実施", "Not at all"))], expected=["full"], weight=2)
        questions.append(question)
    sections = [{"id": f"s{i}", "title": {"ja": f"セクション {i}", "en": f"Section {i}"},
                 "questions": questions[i * 100:(i + 1) * 100]} for i in range((count + 99) // 100)]
    (folder / "bench.yaml").write_text(yaml.safe_dump(
        {"id": "bench", "version": 1, "title": {"ja": "ベンチマーク", "en": "Benchmark"}, "sections": sections},
        allow_unicode=True), encoding="utf-8")


def filled_workbook(template, vendor, key: bytes) -> bytes:
    """Our workbook with every answer given, as a vendor would return it."""
    from vendorrisk.questionnaires.workbook import questionnaire_workbook
    values = {"yes_no_na": "はい / Yes", "single_choice": "一部実施 / Partly", "number": 42,
              "text": "整備済み。年次で見直し。", "date": "2026-04-01"}
    answers = {q.id: ("いいえ / No" if q.type == "yes_no_na" and int(q.id[2:]) % 17 == 0 else values[q.type])
               for q in template.questions}
    return questionnaire_workbook(template, vendor.id, vendor.name, key, answers=answers,
                                  subcontractors=[("株式会社ベンチ下請", "", "JP", "保守", "はい / Yes", "JP")])


def _median(values: list[float]) -> float:
    return statistics.median(values)


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
    parser.add_argument("--runs", type=int, default=5, help="timed runs of each (the median is reported)")
    args = parser.parse_args()
    count = args.questions or (500 if args.small else 5000)

    import pandas as pd
    from sqlalchemy import delete

    from vendorrisk import create_app
    from vendorrisk.core import content, migrate, storage
    from vendorrisk.core.db import engine_of, transaction
    from vendorrisk.core.models import StoredFile
    from vendorrisk.core.uploads import inspect_upload
    from vendorrisk.questionnaires import service
    from vendorrisk.questionnaires.models import QuestionnaireResponse
    from vendorrisk.questionnaires.template_files import get_template
    from vendorrisk.vendors.findings import Finding
    from vendorrisk.vendors.models import Vendor

    work = Path(tempfile.mkdtemp(prefix="bench-questionnaires-"))
    (work / "questionnaires").mkdir()
    write_template(work / "questionnaires", count)
    shared = ROOT / "questionnaires" / "selection"  # another area's content in the same folder
    if shared.exists():
        (work / "questionnaires" / "selection").symlink_to(shared, target_is_directory=True)
    content.QUESTIONNAIRES_DIR = work / "questionnaires"
    app = create_app({"TESTING": True, "SECRET_KEY": "bench-secret-key-0123456789",
                      "DATABASE_URL": f"sqlite:///{work / 'bench.sqlite'}", "INSTANCE_PATH": str(work / "instance"),
                      "LOG_LEVEL": "WARNING"})
    migrate.upgrade(app)
    key = service.signing_key(app.config["SECRET_KEY"])
    with app.app_context():
        with transaction(engine=engine_of(app)) as session:
            vendor = Vendor(name="株式会社ベンチ", name_normalized="株式会社ベンチ")
            session.add(vendor)
        template = get_template("bench")
        started = time.perf_counter()
        workbook = filled_workbook(template, vendor, key)
        generate = time.perf_counter() - started
        path = work / "filled.xlsx"
        path.write_bytes(workbook)

        def ours():
            with transaction(engine=engine_of(app)) as session:
                upload = inspect_upload(workbook, "filled.xlsx", {"xlsx"})
                return service.import_response(session, vendor_id=vendor.id, upload=upload, key=key)

        def forget(result) -> None:
            """Remove what an import stored (untimed), so that the next run imports anew."""
            response = result.response
            with transaction(engine=engine_of(app)) as session:
                session.execute(delete(Finding).where(
                    Finding.source_ref.like(f"questionnaire_response:{response.id}:%")))
                session.execute(delete(QuestionnaireResponse).where(QuestionnaireResponse.id == response.id))
                session.execute(delete(StoredFile).where(StoredFile.id == response.file_id))
            stored = storage.backend()._path(response.file_sha256)
            stored.unlink(missing_ok=True)

        def baseline():
            return pd.read_excel(path, sheet_name="Questions", engine="openpyxl", header=3)

        forget(ours())  # warm-up: imports, caches and the database file
        frame = baseline()
        pandas_wall, pandas_cpu, our_wall, our_cpu = [], [], [], []
        for _ in range(args.runs):
            wall, cpu, frame = _timed(baseline)
            pandas_wall.append(wall)
            pandas_cpu.append(cpu)
            wall, cpu, result = _timed(ours)
            assert not result.duplicate
            our_wall.append(wall)
            our_cpu.append(cpu)
            forget(result)
        our_peak = _peak(lambda: forget(ours()))
        pandas_peak = _peak(baseline)

    assert result.questions == count == len(frame), (result.questions, len(frame))
    ours_s, theirs_s = _median(our_wall), _median(pandas_wall)
    ours_cpu, theirs_cpu = _median(our_cpu), _median(pandas_cpu)
    print(f"questions: {count}  workbook: {len(workbook) / 1024:.0f} KiB  generate: {generate:.2f} s  "
          f"runs: {args.runs} (medians)")
    print(f"vendorrisk import (inspect+parse+validate+store+score): wall {ours_s:.3f} s  cpu {ours_cpu:.3f} s  "
          f"{count / ours_s:,.0f} rows/s  score {result.score}  flags {result.flags}")
    print(f"pandas.read_excel(openpyxl) bare parse:                 wall {theirs_s:.3f} s  cpu {theirs_cpu:.3f} s  "
          f"{count / theirs_s:,.0f} rows/s")
    print(f"ratio ours/pandas: wall {ours_s / theirs_s:.2f}  cpu {ours_cpu / theirs_cpu:.2f}  "
          "(<= 1.00 means no slower than the baseline)")
    print(f"peak memory (tracemalloc): ours {our_peak / 2**20:.1f} MiB, pandas {pandas_peak / 2**20:.1f} MiB")


if __name__ == "__main__":
    main()
