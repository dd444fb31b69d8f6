"""The main journey of every role, in Japanese and English, on a desktop (1366×900) and a
phone (390×844), clicked through the menu as a person would; a screenshot of every step is
saved under test-artefacts/screenshots/ (git-ignored) for people to look at."""
import re

import pytest

from tests.browser.conftest import ROLES, screenshot

# role: the steps, each (menu entry or path, what the page shows)
JOURNEYS = {
    "compliance": [("nav:/dashboard/", "[data-figure=gaps]"), ("nav:/arrangements/", "main table"),
                   ("first:main table a[href^='/arrangements/']", "[data-test=chain-tree]"),
                   ("first:main dl.facts a[href^='/vendors/']", "[data-test=vendor-jump]"),
                   ("nav:/audit/", "[data-test=audit-trail]")],
    "procurement": [("nav:/vendors/", "[data-test=vendor-list]"), ("path:/vendors/new", "[data-test=vendor-form]"),
                    ("nav:/arrangements/", "main table"), ("nav:/selection/", "main table")],
    "vendor_owner": [("nav:/reviews/", "[data-test=review-list]"), ("first:[data-test=review-list] a", "main h1"),
                     ("nav:/findings/", "main h1")],
    "auditor": [("nav:/audit/", "[data-test=audit-trail]"), ("nav:/compliance/", "main table"),
                ("path:/compliance/rules", "section.rule")],
    "admin": [("nav:/admin/users", "main table"), ("nav:/vendors/", "[data-test=vendor-list]")],
}
CASES = [(role, language, viewport) for role in ROLES for language in ("ja", "en") for viewport in ("desktop", "phone")]


@pytest.mark.parametrize("role,language,viewport", CASES, ids=["-".join(c) for c in CASES])
def test_main_journey(browser, writable_demo_site, role, language, viewport):
    site = writable_demo_site
    context = site.context(browser, role, language, viewport)
    page = context.new_page()
    try:
        page.goto(site.url + "/")
        assert page.locator("html").get_attribute("lang") == language
        assert page.locator("[data-test=tasks]").is_visible()  # 「自分のタスク」 opens the day
        screenshot(page, f"{role}-{language}-{viewport}-0-start")
        for number, (step, shows) in enumerate(JOURNEYS[role], start=1):
            kind, _sep, target = step.partition(":")
            if kind == "nav":
                page.locator(f"nav.mainnav a[href='{target}']").click()
            elif kind == "first":
                page.locator(target).first.click()
            else:
                page.goto(site.url + target)
            page.wait_for_load_state()
            assert page.locator(shows).first.is_visible(), (step, page.url)
            assert page.locator(".error-page").count() == 0, page.url
            slug = re.sub(r"[^a-z0-9]+", "-", page.url.split("://", 1)[1].split("/", 1)[1].lower()).strip("-") or "home"
            screenshot(page, f"{role}-{language}-{viewport}-{number}-{slug}")
    finally:
        context.close()


def test_a_file_over_the_limit_is_refused_before_sending_and_the_form_keeps_its_input(browser, writable_demo_site, tmp_path):
    site = writable_demo_site
    # a file on disk: Chromium reads it by path, where a 30 MB buffer would be sent over the
    # protocol (past set_input_files's 15 s on a loaded machine)
    too_large = tmp_path / "大きな契約書.pdf"
    too_large.write_bytes(b"%PDF-1.4\n" + b"0" * (30 * 1024 * 1024))
    context = site.context(browser, "procurement", "ja", "desktop")
    page = context.new_page()
    try:
        page.goto(site.url + "/arrangements/")
        page.locator("main table a[href^='/arrangements/']").first.click()
        arrangement_url = page.url
        page.goto(arrangement_url.replace("/arrangements/", "/contracts/arrangements/"))
        form = page.locator("[data-test=new-contract]")
        assert "25 MB まで。" in form.inner_text()  # the limit, stated before anything is sent
        form.locator("input[name=title]").fill("基本契約書 2026年版")
        form.locator("input[type=file]").set_input_files(too_large)
        before = page.url
        form.locator("button[type=submit]").click()
        error = form.locator(".field-error.upload-too-large")
        error.wait_for()
        assert "25 MB を超えています" in error.inner_text()
        assert page.url == before  # nothing was sent
        assert form.locator("input[name=title]").input_value() == "基本契約書 2026年版"
        screenshot(page, "procurement-ja-desktop-upload-too-large")
    finally:
        context.close()
