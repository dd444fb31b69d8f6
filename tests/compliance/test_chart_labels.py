"""Bar labels cut to their room stay distinguishable: vendors named alike up to the cut are cut
in the middle, keeping where they differ; the full name is the label's title (shown on hover)."""
import re
from html import unescape

from tests import factories
from vendorrisk.compliance import maintain
from vendorrisk.compliance.svg import Bar, bar_chart, fit_labels

ALIKE = ["株式会社クラウドサービスジャパン東日本", "株式会社クラウドサービスジャパン西日本",
         "株式会社クラウドサービスジャパン", "Amazon Web Services Japan G.K.",
         "Amazon Web Services Japan G.K. (Osaka)", "短い名前"]


def _labels(svg: str) -> list[tuple[str, str]]:
    """(title, shown text) of each bar's label."""
    return [(unescape(t), unescape(s)) for t, s in re.findall(r"<text[^>]*><title>([^<]*)</title>([^<]*)</text>", svg)]


def test_names_alike_up_to_the_cut_stay_apart():
    shown = fit_labels(ALIKE, 140)
    assert len(set(shown)) == len(ALIKE), shown
    assert shown[0].endswith("東日本") and shown[1].endswith("西日本") and shown[4].endswith("(Osaka)")
    assert shown[5] == "短い名前"  # what fits is not cut
    assert all(len(s) < len(name) and "…" in s for s, name in zip(shown[:5], ALIKE))
    assert fit_labels(["同じ名前の長い長い長い会社名"] * 2, 140)[0] == fit_labels(["同じ名前の長い長い長い会社名"], 140)[0]


def test_bar_chart_titles_carry_the_full_names():
    labels = _labels(str(bar_chart([Bar(name, 3 - i % 3) for i, name in enumerate(ALIKE)], "top")))
    assert [title for title, _shown in labels] == ALIKE
    assert len({shown for _title, shown in labels}) == len(ALIKE)


def test_dashboard_concentration_tells_alike_vendors_apart(app, db, client, login):
    for name in ALIKE[:2]:
        vendor = factories.gen_vendor(db, name=name, name_en="")  # shown by this name in English too
        factories.gen_arrangement(db, vendor)
    maintain.rebuild(db)
    db.commit()
    login("compliance")
    page = client.get("/dashboard/").get_data(as_text=True)
    chart = page.split("Top concentration</h2>")[1].split("</section>")[0]
    labels = dict(_labels(chart))
    assert set(labels) == set(ALIKE[:2]) and len(set(labels.values())) == 2, labels
