"""The matrix workbook, read back cell by cell, says what the matrix says.

The export writes its sheet's XML itself, from the stored JSON texts, each distinct text
rendered once (``matrix_xlsx``); the reference here is the matrix as the pages read it
(``store.iter_rows``: verdicts decoded into messages, looked-up links resolved) rendered
cell by cell with ``core.messages.render`` in the starter's language.
"""
import io
import re
from datetime import date

import pytest
from flask_babel import force_locale, gettext
from openpyxl import load_workbook

from tests.compliance.test_equivalence import _portfolio
from tests.helpers import exported
from vendorrisk.compliance import maintain, matrix, store
from vendorrisk.core import registry
from vendorrisk.core.messages import Bilingual, join, msg, render
from vendorrisk.core.xlsx import neutralise
from vendorrisk.monitoring.models import MonitoringReview
from vendorrisk.vendors.models import Vendor

BASE = "https://vendorrisk.example.jp"


def _expected(app, db, language: str, filters: matrix.MatrixFilters) -> list[tuple]:
    """Every row the workbook should hold, in its order, as openpyxl reads cells back."""
    titles = {o.id: o for o in registry.of(app).obligations.values()}
    rows = []
    with app.test_request_context(), force_locale(language):
        yes = {True: gettext("yes"), False: gettext("no")}
        for row in store.iter_rows(db, filters):
            v = row.vendor
            for ob_id, verdict in row.verdicts.items():
                if filters.status and verdict.status != filters.status:
                    continue
                o = titles[ob_id]
                proof = " ; ".join(f"{render(label)}: {BASE + href if href.startswith('/') else href}"
                                   for label, href in verdict.links)
                cells = (v.id, v.name, v.name_en, v.tier, yes[v.important], yes[v.cloud], yes[v.user_data],
                         ob_id, o.citation_en, o.citation_ja, o.title_ja if language == "ja" else o.title_en,
                         gettext(verdict.status.replace("_", " ")), render(verdict.reason), proof)
                rows.append(tuple(None if c == "" else neutralise(c) for c in cells))
    return rows


def gettext_in(app, language: str, text: str) -> str:
    with app.test_request_context(), force_locale(language):
        return gettext(text)


@pytest.fixture
def matrix_portfolio(app, db):
    """Every rule touched (``test_equivalence``), a vendor named like a formula, and stored
    reasons and proof labels holding a join and a text given in both languages."""
    ids = _portfolio(db)
    db.get(Vendor, ids[1]).name = "=1+2 委託先"
    for vendor_id in ids[::3]:  # an open review: the 26-1 cell's looked-up link points to it
        db.add(MonitoringReview(vendor_id=vendor_id, status="planned", due_date=date(2026, 9, 1)))
    maintain.rebuild(db)
    db.commit()
    return ids


@pytest.mark.parametrize("language", ["ja", "en"])
@pytest.mark.parametrize("query", ["", "status=gap&article=27"])
def test_every_cell_of_the_workbook_is_the_matrix_rendered(app, client, login, db, matrix_portfolio, monkeypatch,
                                                           language, query):
    app.config["BASE_URL"] = BASE + "/"
    # a stored reason and a proof label with a join, a nested message and a bilingual name
    rich = join("; ", [msg("no contract uploaded for “%(title)s”", title=Bilingual("委託業務", "Service")),
                       msg("Review")], capitalise=True)
    rule = registry.of(app).obligations["26-4"].rule

    def richer(session, vendor_ids, *args, **kwargs):
        verdicts = rule(session, vendor_ids, *args, **kwargs)
        for vendor_id in vendor_ids[::2]:
            v = verdicts[vendor_id]
            verdicts[vendor_id] = registry.Verdict(v.status, rich, [(rich, "/vendors/1"), *v.links, ("plain", "x:y")])
        return verdicts

    from dataclasses import replace
    monkeypatch.setitem(registry.of(app).obligations, "26-4", replace(registry.of(app).obligations["26-4"], rule=richer))
    maintain.rebuild(db)
    db.commit()
    login("compliance")
    response = exported(app, client, "/compliance/export/matrix.xlsx" + (f"?{query}" if query else ""),
                        headers={"Accept-Language": language})
    book = load_workbook(io.BytesIO(response.data))
    got = list(book[book.sheetnames[0]].iter_rows(min_row=2, values_only=True))
    filters = matrix.MatrixFilters.from_args(dict(p.split("=") for p in query.split("&")) if query else {})
    want = _expected(app, db, language, filters)
    assert len(got) == len(want) > 0
    for number, (row, expected) in enumerate(zip(got, want), start=2):
        assert row == expected, f"row {number}"
    if not query:  # what the portfolio exercises: looked-up links found and not, joins, bilingual names
        proofs = {row[7]: [] for row in got}
        for row in got:
            proofs[row[7]].append(row[13] or "")
        assert any(re.search(r"/reviews/\d+( ;|$)", p) for p in proofs["26-1"])  # found
        assert any(p.split(" ; ")[0].startswith(gettext_in(app, language, "Completed reviews")) for p in proofs["26-1"])
        assert sum(("委託業務" if language == "ja" else "Service") in p for p in proofs["26-4"]) > 1
