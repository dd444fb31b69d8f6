"""Every page of the URL map that each role can open, in Japanese and English, on a desktop
(1366×900) and a phone (390×844): no English sentence in a Japanese page (proper names and
codes of ``pagemap.ALLOWED`` aside), no internal id, no sideways scrolling on the phone, the
menu on one row on the desktop, and no error."""
import pytest

from tests.browser import pagemap
from tests.browser.conftest import ROLES

WALKS = [(role, language, viewport) for role in ROLES for language in ("ja", "en") for viewport in ("desktop", "phone")]


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


def _problems(page, language: str, viewport: str, status: int) -> list[str]:
    facts = page.evaluate(pagemap.PAGE_FACTS_JS, language)
    problems = []
    if status != 200 or facts["error"]:
        problems.append(f"answered {status}")
    if language == "ja" and (english := pagemap.english_in_japanese(facts["text"])):
        problems.append("English: " + " | ".join(english))
    if ids := pagemap.internal_ids(facts["allText"]):
        problems.append("internal ids: " + " | ".join(ids))
    if viewport == "phone" and facts["scrollWidth"] > facts["clientWidth"] + 1:
        problems.append(f"{facts['scrollWidth']} px wide on a {facts['clientWidth']} px phone: {facts['wide']}")
    if viewport == "desktop" and facts["navRows"] != 1:
        problems.append(f"menu on {facts['navRows']} rows")
    return problems


@pytest.mark.parametrize("role,language,viewport", WALKS, ids=["-".join(w) for w in WALKS])
def test_every_page_of_the_role(browser, demo_site, pages, role, language, viewport):
    reachable = pagemap.pages_for(demo_site.app, pages, role)
    assert len(reachable) >= 20, reachable  # the walk covers the product, not a login page
    context = demo_site.context(browser, role, language, viewport)
    page = context.new_page()
    found = {}
    try:
        for _endpoint, path in reachable:
            response = page.goto(demo_site.url + path, wait_until="load")  # styles applied
            problems = _problems(page, language, viewport, response.status if response else 0)
            if problems:
                found[path] = problems
    finally:
        context.close()
    report = "\n".join(f"{path}\n  " + "\n  ".join(problems) for path, problems in found.items())
    assert not found, f"{len(found)} of {len(reachable)} pages of {role} ({language}, {viewport}):\n{report}"
