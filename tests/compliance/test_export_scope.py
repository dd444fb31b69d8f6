"""The matrix page's export links: the matrix export carries the filter the reader is looking
at; the whole-portfolio exports (register, board report, DORA) say so beside the links."""
import html
import re

import pytest


@pytest.mark.parametrize("language, filtered, whole", [
    ("ja", "マトリクスのエクスポートは上の絞り込みに従います", "常に全体を対象とします"),
    ("en", "The matrix export keeps the filter above", "always cover the whole portfolio"),
])
def test_matrix_export_link_keeps_the_filter_and_the_others_say_whole(db, client, login, language, filtered, whole):
    login("auditor")
    headers = {"Accept-Language": language}
    page = client.get("/compliance/?article=26&risk_tier=high&user_data=yes", headers=headers).get_data(as_text=True)
    href = html.unescape(re.search(r'href="([^"]+)" data-test="export-matrix"', page).group(1))
    assert href.startswith("/compliance/export/matrix.xlsx?")
    assert {"article=26", "risk_tier=high", "user_data=yes"} <= set(href.split("?", 1)[1].split("&"))
    scope = re.search(r'data-test="exports-scope">(.*?)</small>', page, re.S).group(1)
    assert filtered in scope and whole in scope
    unfiltered = client.get("/compliance/", headers=headers).get_data(as_text=True)
    scope = re.search(r'data-test="exports-scope">(.*?)</small>', unfiltered, re.S).group(1)
    assert whole in scope and filtered not in scope
