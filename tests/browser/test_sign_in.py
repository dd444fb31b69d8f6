"""The sign-in journey in a real browser."""
from playwright.sync_api import expect


def test_sign_in_shows_navigation_and_vendor_list(page, live_server, sign_in, db):
    from tests import factories
    factories.gen_vendor(db, name="株式会社ブラウザテスト", name_en="Browser Test K.K.")
    db.commit()
    sign_in("compliance")
    # Japanese browser -> Japanese UI
    assert page.locator("html").get_attribute("lang") == "ja"
    nav = page.locator("nav.mainnav")
    assert nav.is_visible()
    page.click("nav.mainnav a[href='/vendors/']")
    page.wait_for_url(f"{live_server}/vendors/")
    assert page.locator("[data-test=vendor-list]").inner_text().count("株式会社ブラウザテスト") == 1
    page.fill("input[name=q]", "Browser Test")
    page.click("form.filters button[type=submit]")
    expect(page.locator("[data-test=vendor-list]")).to_contain_text("株式会社ブラウザテスト")  # the answer may be arriving
    page.click("[data-test=logout]")
    page.wait_for_url(f"{live_server}/login")


def test_wrong_password_gets_generic_message(page, live_server, db):
    from tests import factories
    user = factories.gen_user(db, role="compliance")
    db.commit()
    page.goto(f"{live_server}/login")
    page.fill("input[name=email]", user.email)
    page.fill("input[name=password]", "wrong password entirely")
    page.click("button[type=submit]")
    alert = page.locator(".flash.error")
    expect(alert).to_be_visible()  # the answer's page may still be arriving when the click returns
    assert page.url.startswith(f"{live_server}/login")


def test_language_switch_to_english(page, live_server, sign_in):
    sign_in("procurement")
    page.click("button[name=lang][value=en]")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("[data-test=logout]").inner_text().strip() == "Sign out"


def test_two_factor_enrolment_then_sign_in_with_a_code(page, live_server, sign_in, db):
    import time

    import pyotp
    user = sign_in("compliance")
    page.goto(f"{live_server}/account/")
    page.click("a[href='/account/two-factor']")
    page.click("form[action='/account/two-factor/start'] button[type=submit]")
    secret = page.locator("[data-test=totp-secret]").inner_text().strip()
    expect(page.locator("[data-test=qr]")).to_be_visible()  # an image: visible once decoded, after its code
    page.fill("input[name=code]", pyotp.TOTP(secret).now())
    page.click("form[action='/account/two-factor/confirm'] button[type=submit]")
    expect(page.locator("[data-test=recovery-codes] li")).to_have_count(10)  # waits for the answer
    page.click("[data-test=logout]")
    page.wait_for_url(f"{live_server}/login")
    page.fill("input[name=email]", user.email)
    page.fill("input[name=password]", "correct horse battery staple")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server}/login/code*")
    page.fill("input[name=code]", pyotp.TOTP(secret).at(time.time() + 30))  # the next code: each works once
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server}/")
    assert page.locator("nav.mainnav").is_visible()


def test_pages_ask_the_server_for_nothing_that_is_missing(page, live_server, sign_in):
    # Chromium asked for /favicon.ico on every first visit and logged the 404 as a console error
    missing = []
    page.on("response", lambda r: r.status >= 400 and missing.append((r.status, r.url)))
    page.on("console", lambda m: m.type == "error" and missing.append(("console", m.text)))
    sign_in("compliance")
    page.goto(f"{live_server}/vendors/")
    page.wait_for_load_state("networkidle")
    assert missing == []
    icon = page.locator("link[rel=icon]").get_attribute("href")
    assert page.request.get(live_server + icon).status == 200
