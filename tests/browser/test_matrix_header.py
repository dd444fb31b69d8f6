"""The matrix filtered to one article has room for its obligations' whole titles: no header
cell is cut (no "…", nothing wider than the cell), in Japanese and in English."""
import pytest

from vendorrisk.compliance.matrix import select_obligations

MEASURE = """() => [...document.querySelectorAll('table.matrix thead th.ob')].map(th => ({
  id: th.querySelector('a').dataset.obligation, title: th.querySelector('small').innerText,
  scroll: th.scrollWidth, client: th.clientWidth, small: th.querySelector('small').scrollWidth,
  smallClient: th.querySelector('small').clientWidth}))"""


@pytest.mark.parametrize("language", ["ja", "en"])
def test_header_of_one_article_is_whole(page, live_server, sign_in, app, language):
    sign_in("auditor", language=language)
    page.goto(f"{live_server}/compliance/?article=26")
    cells = page.evaluate(MEASURE)
    with app.app_context():
        obligations = {o.id: o for o in select_obligations("26")}
    assert [c["id"] for c in cells] == list(obligations)
    for cell in cells:
        ob = obligations[cell["id"]]
        assert cell["title"] == (ob.title_ja if language == "ja" else ob.title_en), cell
        assert cell["scroll"] <= cell["client"] + 1 and cell["small"] <= cell["smallClient"] + 1, cell
