"""What the checker computes once instead of once per clause or sentence (speed22) gives
what it computed each time before: the same units, features in the same order, results."""
import random
from pathlib import Path

from vendorrisk.contracts.checker import evidence, features, library, matcher, scorer, structure, text

CORPUS = Path(__file__).parent / "corpus"


def test_first_best_is_the_first_of_the_highest():
    rng = random.Random(7)
    for _ in range(2000):
        n = rng.randint(0, 12)
        probabilities = [rng.choice([0.0, 0.1, 0.5, 0.5, 0.9, 1.0]) for _ in range(n)]
        usable = [rng.random() < 0.6 for _ in range(n)]
        for wanted in (True, False):
            expected = max((i for i, ok in enumerate(usable) if ok is wanted), key=lambda i: probabilities[i],
                           default=None)
            assert matcher._first_best(probabilities, usable, wanted) == expected


def test_heading_words_are_added_in_the_same_order():
    long = ("Schedule 4 / Information Security, Business Continuity, Disaster Recovery, Audit and Inspection Rights "
            "of the Customer and its Regulators over Subcontractors and Sub-processors / 第十二条 再委託先の監督及び報告")
    for heading in ("第5条（再委託） / 第3章 Ⓟ の義務", "12. SECURITY / Ⓟ's Obligations", "監査", "Audit Rights 2", long):
        for before in ((), ("h:audit", "監査"), tuple(f"x{n}" for n in range(40))):
            built, updated = set(before), set(before)
            features._words(features.normalise(heading), "h:", built, pairs=False)
            updated.update(features._heading_words(heading))
            assert list(built) == list(updated), heading


def test_clauses_judged_together_as_one_by_one(monkeypatch):
    model = scorer.load_model()
    clauses = library.library()
    paths = [p for p in sorted(CORPUS.iterdir()) if p.suffix in (".md", ".txt")]
    assert len(paths) > 10
    for path in paths:
        parsed = structure.parse(text.extract(path.read_bytes(), path.suffix.lstrip(".")).blocks)
        reading = matcher.read(parsed, clauses)
        scored = matcher.score_units(reading, model)
        lang = evidence.language(reading.units)
        alone = [matcher.decide(c, reading, scored, model, lang) for c in clauses]
        shared: dict = {}
        seen = {}  # the units each clause was judged on: those that may count for it
        judge = evidence.document_features

        def spy(units, probabilities, clause_id, usable, *args):
            seen[clause_id] = list(usable)
            return judge(units, probabilities, clause_id, usable, *args)
        monkeypatch.setattr(evidence, "document_features", spy)
        assert [matcher.decide(c, reading, scored, model, lang, shared) for c in clauses] == alone, path.name
        monkeypatch.setattr(evidence, "document_features", judge)
        assert seen == {c.id: [matcher.counts(u, c.id) for u in reading.units] for c in clauses
                        if model.slot(c.id) is not None}, path.name
        assert matcher.check_contract(parsed, clauses, reading=reading, model=model) == alone, path.name
        sections = evidence.sections(reading.units)
        usable = [True] * len(reading.units)
        for slot, clause_id in enumerate(model.clause_ids):
            probabilities = [row[slot] for row in scored]
            assert evidence.document_features(reading.units, probabilities, clause_id, usable, lang, 0.1, sections) == \
                evidence.document_features(reading.units, probabilities, clause_id, usable, lang, 0.1), path.name


def test_flat_text_as_before():
    from vendorrisk.contracts.checker import reading
    lines = ["Availability of 99.95% per month, 24 hours a day", "稼働率は九十九・九五パーセント以上", "三十分以内に通知",
             "第三者", "10 %", "十分な"]
    for path in sorted(CORPUS.iterdir()):
        if path.suffix in (".md", ".txt"):
            lines += path.read_text(encoding="utf-8").splitlines()
    for line in lines:
        before = reading.PERCENT.sub("%", reading.KANJI_FIGURE.sub(reading._digits, line))
        assert reading.flat(line) == reading.SPACES.sub(" ", before.lower()), line
