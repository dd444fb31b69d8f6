"""A real Chromium (Debian's package) driven by Playwright against the app served live."""
import os
import shutil
from pathlib import Path

import pytest

from tests.helpers import served

CHROMIUM = os.environ.get("VENDORRISK_CHROMIUM", "/usr/bin/chromium")
# How long an action, a navigation or an ``expect`` waits for its condition (Playwright's own
# default; ``expect`` otherwise waits 5 s). Only failures wait this long. The CI machine has
# 2 cores shared with other jobs, at load 8 and more: there a request that takes half a second
# on its own takes seconds (POST /arrangements/new took 10 s, a contract set's upload 11.6 s,
# at load 20), and the former 10 s made the click that sent the form time out.
TIMEOUT_MS = 30_000
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage"]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath).replace("\\", "/"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True}


@pytest.fixture(scope="session")
def browser():
    """One Chromium per worker."""
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium not found at {CHROMIUM}: `make test` installs Debian's chromium")
    from playwright.sync_api import expect, sync_playwright
    expect.set_options(timeout=TIMEOUT_MS)
    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser, live_server):
    """A fresh browser context (cookies, storage) and page for each test, in Japanese, on the
    live server: closed before the server stops, so that no request of the page (a poll, the
    favicon) is still on its way when the server and the app are taken down."""
    context = browser.new_context(locale="ja-JP", viewport={"width": 1366, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    tab = context.new_page()
    yield tab
    context.close()


@pytest.fixture
def sign_in(page, live_server, db):
    """``sign_in(role)`` creates a user and signs in through the login form."""
    from tests import factories

    def do(role="compliance", language=None):
        user = factories.gen_user(db, role=role, language=language)
        db.commit()
        page.goto(f"{live_server}/login")
        page.fill("input[name=email]", user.email)
        page.fill("input[name=password]", factories.PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{live_server}/")
        return user
    return do


ARTEFACTS = Path(__file__).resolve().parents[2] / "test-artefacts" / "screenshots"
VIEWPORTS = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}
ROLES = ("admin", "compliance", "procurement", "vendor_owner", "auditor")
WALKER_PASSWORD = "walker-password-2026"


class DemoSite:
    """The demo portfolio served live, with one signed-in browser state per role and language."""

    def __init__(self, app, url: str):
        self.app, self.url = app, url
        self.states: dict[tuple[str, str], dict] = {}

    def user_email(self, role: str, language: str) -> str:
        """The walker of ``role`` who reads ``language`` (demo users of each role, one per language)."""
        return f"walker-{role}-{language}@example.jp"

    def context(self, browser, role: str, language: str, viewport: str):
        """A browser context signed in as the walker (sign-in once per role and language)."""
        key = (role, language)
        locale = "ja-JP" if language == "ja" else "en-US"
        if key not in self.states:
            context = browser.new_context(locale=locale, viewport=VIEWPORTS["desktop"])
            context.set_default_timeout(TIMEOUT_MS)
            page = context.new_page()
            page.goto(f"{self.url}/login")
            page.fill("input[name=email]", self.user_email(role, language))
            page.fill("input[name=password]", WALKER_PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_url(f"{self.url}/")
            self.states[key] = context.storage_state()
            context.close()
        context = browser.new_context(locale=locale, viewport=VIEWPORTS[viewport], storage_state=self.states[key])
        context.set_default_timeout(TIMEOUT_MS)
        # the pages' own images and fonts are all there is; nothing else to fetch
        return context


def _demo_site(template_db, folder: Path):
    """A copy of the migrated database with the demo portfolio and the walkers, served live
    while the generator is suspended (a fixture's body: yields the ``DemoSite``)."""
    from tests.conftest import _make_app
    from vendorrisk.core import users
    from vendorrisk.core.db import engine_of, transaction
    from vendorrisk.demo import load_demo

    target = folder / "demo.sqlite"
    shutil.copyfile(Path(template_db.removeprefix("sqlite:///")), target)
    instance = folder / "instance"
    instance.mkdir()
    app = _make_app(f"sqlite:///{target}", instance, WTF_CSRF_ENABLED=True)
    with app.app_context():
        load_demo(app)
    from sqlalchemy import text
    from sqlmodel import select

    from tests.browser.pagemap import PARAMETERS
    from vendorrisk.core.models import User
    from vendorrisk.vendors.models import VendorOwner
    with app.app_context(), transaction(engine=engine_of(app)) as session:
        arrangement_id = session.execute(text(PARAMETERS["arrangement_id"])).scalar()
        vendor_id = session.execute(text(PARAMETERS["vendor_id"]), {"arrangement_id": arrangement_id}).scalar()
        for number, role in enumerate(ROLES, start=1):
            for language in ("ja", "en"):
                users.create_user(session, email=f"walker-{role}-{language}@example.jp", role=role,
                                  password=WALKER_PASSWORD, display_name=f"巡回 {number}{language == 'en' and '英' or '日'}",
                                  language=language)
                if role == "vendor_owner":  # the staff assigned to the portfolio's vendor (Art. 26(2))
                    walker = session.exec(select(User).where(User.email == f"walker-{role}-{language}@example.jp")).one()
                    session.add(VendorOwner(vendor_id=vendor_id, user_id=walker.id, is_primary=False))
    with served(app) as url:
        yield DemoSite(app, url)
    app.extensions["vendorrisk.engine"].dispose()


@pytest.fixture(scope="session")
def demo_site(template_db, tmp_path_factory):
    """The demo portfolio served once per worker, read by the page walks (which change nothing)."""
    yield from _demo_site(template_db, tmp_path_factory.mktemp("demo_site"))


@pytest.fixture(scope="module")
def writable_demo_site(template_db, tmp_path_factory):
    """A demo portfolio of the module's own, for journeys and forms that change data."""
    yield from _demo_site(template_db, tmp_path_factory.mktemp("writable_demo_site"))


def screenshot(page, name: str) -> Path:
    """Save the page under test-artefacts/screenshots/ (git-ignored), as JPEG (quick to write,
    small to keep): the whole page on a desktop, the first screen on a phone (what a person
    sees without scrolling; the page walk checks the rest of its width)."""
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTEFACTS / f"{name}.jpg"
    page.screenshot(path=str(path), full_page=page.viewport_size["width"] > 500, type="jpeg", quality=70,
                    animations="disabled")
    return path
