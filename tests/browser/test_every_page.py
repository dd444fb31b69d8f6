"""Every page of the URL map that each role can open, in Japanese and English, on a desktop
(1366×900) and a phone (390×844): no English sentence in a Japanese page (proper names and
codes of ``pagemap.ALLOWED`` aside), no internal id, no sideways scrolling on the phone, the
menu on one row on the desktop, and no error.

Each page is loaded once, measured at 1366 px, then narrowed to 390 px (the styles apply at
once; nothing on these pages lays itself out by script) and measured again."""
import pytest

from tests.browser import pagemap
from tests.browser.conftest import ROLES

WALKS = [(role, language) for role in ROLES for language in ("ja", "en")]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}


@pytest.fixture(scope="module")
def pages(demo_site):
    """The candidate pages of the URL map, parameters filled from the demo portfolio."""
    from vendorrisk.core.db import new_session
    with demo_site.app.app_context():
        session = new_session()
        try:
            return pagemap.candidate_pages(demo_site.app, session)
        finally:
            session.close()


def _problems(page, language: str, status: int) -> list[str]:
    """What is wrong with the loaded page, at 1366 px and then at 390 px."""
    problems = []
    desktop = page.evaluate(pagemap.LAYOUT_FACTS_JS)
    if desktop["navRows"] != 1:
        problems.append(f"menu on {desktop['navRows']} rows at 1366 px")
    page.set_viewport_size(PHONE)
    phone = page.evaluate(pagemap.LAYOUT_FACTS_JS)
    page.set_viewport_size(DESKTOP)
    if phone["scrollWidth"] > phone["clientWidth"] + 1:
        problems.append(f"{phone['scrollWidth']} px wide on a {phone['clientWidth']} px phone: {phone['wide']}")
    if phone["headerHeight"] > 844 * 0.15:
        problems.append(f"the header takes {phone['headerHeight']} px of the phone's 844")
    if phone["squeezed"]:
        problems.append("table columns squeezed on the phone: " + " | ".join(phone["squeezed"]))
    if phone["brokenTools"]:
        problems.append("broken mid-word on the phone: " + " | ".join(phone["brokenTools"]))
    facts = page.evaluate(pagemap.PAGE_FACTS_JS, language)
    if status != 200 or facts["error"]:
        problems.append(f"answered {status}")
    if language == "ja" and (english := pagemap.english_in_japanese(facts["text"])):
        problems.append("English: " + " | ".join(english))
    if ids := pagemap.internal_ids(facts["allText"]):
        problems.append("internal ids: " + " | ".join(ids))
    return problems


@pytest.mark.parametrize("role,language", WALKS, ids=["-".join(w) for w in WALKS])
def test_every_page_of_the_role(browser, demo_site, pages, role, language):
    reachable = pagemap.pages_for(demo_site.app, pages, role)
    assert len(reachable) >= 20, reachable  # the walk covers the product, not a login page
    context = demo_site.context(browser, role, language, "desktop")
    page = context.new_page()
    found = {}
    try:
        for _endpoint, path in reachable:
            response = page.goto(demo_site.url + path, wait_until="load")  # styles applied
            problems = _problems(page, language, response.status if response else 0)
            if problems:
                found[path] = problems
    finally:
        context.close()
    report = "\n".join(f"{path}\n  " + "\n  ".join(problems) for path, problems in found.items())
    assert not found, f"{len(found)} of {len(reachable)} pages of {role} ({language}):\n{report}"
