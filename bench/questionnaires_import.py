"""Benchmark: import a generated N-question workbook end to end (inspect, parse, validate,
store, score) and, in the same run, parse the same file with pandas.read_excel (openpyxl
engine) as the baseline. Prints rows/s, the ratio to pandas and peak memory (tracemalloc).

    /work/venv/bin/python bench/questionnaires_import.py            # 5,000 questions
    /work/venv/bin/python bench/questionnaires_import.py --small    # 500 questions
"""
import argparse
import gc
import io
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
    from vendorrisk.exports.questionnaire_xlsx import questionnaire_workbook
    values = {"yes_no_na": "はい / Yes", "single_choice": "一部実施 / Partly", "number": 42,
              "text": "整備済み。年次で見直し。", "date": "2026-04-01"}
    answers = {q.id: ("いいえ / No" if q.type == "yes_no_na" and int(q.id[2:]) % 17 == 0 else values[q.type])
               for q in template.questions}
    return questionnaire_workbook(template, vendor.id, vendor.name, key, answers=answers,
                                  subcontractors=[("株式会社ベンチ下請", "", "JP", "保守", "はい / Yes", "JP")])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="500 questions instead of 5,000")
    parser.add_argument("--questions", type=int, default=None)
    args = parser.parse_args()
    count = args.questions or (500 if args.small else 5000)

    import pandas as pd

    from vendorrisk import content, create_app, migrate
    from vendorrisk.db import engine_of, transaction
    from vendorrisk.models.vendors import Vendor
    from vendorrisk.services import questionnaires as service
    from vendorrisk.services.questionnaire_templates import get_template
    from vendorrisk.uploads import inspect_upload

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
            vendors = [Vendor(name=f"株式会社ベンチ{i}", name_normalized=f"株式会社ベンチ{i}") for i in range(2)]
            session.add_all(vendors)
        template = get_template("bench")
        started = time.perf_counter()
        workbooks = [filled_workbook(template, v, key) for v in vendors]
        generate = (time.perf_counter() - started) / 2
        path = work / "filled.xlsx"
        path.write_bytes(workbooks[0])

        def ours(index: int):
            with transaction(engine=engine_of(app)) as session:
                upload = inspect_upload(workbooks[index], "filled.xlsx", {"xlsx"})
                return service.import_response(session, vendor_id=vendors[index].id, upload=upload, key=key)

        def baseline():
            return pd.read_excel(path, sheet_name="Questions", engine="openpyxl", header=3)

        gc.collect()
        started = time.perf_counter()
        frame = baseline()
        pandas_seconds = time.perf_counter() - started
        gc.collect()
        started = time.perf_counter()
        result = ours(0)
        our_seconds = time.perf_counter() - started
        gc.collect()
        tracemalloc.start()
        ours(1)
        our_peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        gc.collect()
        tracemalloc.start()
        baseline()
        pandas_peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()

    assert result.questions == count == len(frame), (result.questions, len(frame))
    size = len(workbooks[0])
    print(f"questions: {count}  workbook: {size / 1024:.0f} KiB  generate: {generate:.2f} s")
    print(f"vendorrisk import (inspect+parse+validate+store+score): {our_seconds:.3f} s  "
          f"{count / our_seconds:,.0f} rows/s  score {result.score}  flags {result.flags}")
    print(f"pandas.read_excel(openpyxl) bare parse:                 {pandas_seconds:.3f} s  "
          f"{count / pandas_seconds:,.0f} rows/s")
    print(f"ratio ours/pandas: {our_seconds / pandas_seconds:.2f}  (<= 1.00 means no slower than the baseline)")
    print(f"peak memory (tracemalloc): ours {our_peak / 2**20:.1f} MiB, pandas {pandas_peak / 2**20:.1f} MiB")


if __name__ == "__main__":
    main()
