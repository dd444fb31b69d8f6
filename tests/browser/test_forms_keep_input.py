"""Every form of every page keeps what was typed when it is refused: filled with values the
server refuses (browser checks switched off, so that the server's own validation answers),
each form either succeeds or shows its errors on a page whose fields still hold the typed
values — never a bare error page."""
import pytest

from tests.browser import pagemap

ROLES = ("compliance", "procurement", "admin", "vendor_owner")
SKIPPED_ACTIONS = ("/logout", "/language")

# Fill every text field of a form with a marker (numbers and dates get a value the server
# refuses when it can); report the form's fields and submit it without the browser's checks.
FILL_JS = """([index, marker]) => {
  const form = [...document.querySelectorAll('main form')].filter(f => f.method === 'post')[index];
  if (!form) return null;  // an earlier form changed the page (e.g. answered the last request)
  const typed = {};
  for (const el of form.querySelectorAll('input, textarea')) {
    if (el.disabled || el.readOnly || !el.name || el.name === 'csrf_token') continue;
    const type = (el.type || 'text').toLowerCase();
    if (['text', 'search', 'email', 'tel', 'url', 'textarea'].includes(type) || el.tagName === 'TEXTAREA') {
      el.value = marker + el.name;
      typed[el.name] = el.value;
    }
  }
  form.noValidate = true;
  return typed;
}"""
FORMS_JS = """(skipped) => [...document.querySelectorAll('main form')].filter(f => f.method === 'post').map(f => ({
  action: f.getAttribute('action') || location.pathname,
  confirm: !!f.closest('details.confirm'),
  fields: [...f.querySelectorAll('input, textarea')].filter(el => !el.disabled && el.name && el.name !== 'csrf_token' &&
      (['text', 'search', 'email', 'tel', 'url'].includes((el.type || 'text').toLowerCase()) || el.tagName === 'TEXTAREA')).length,
}))"""
KEPT_JS = """(typed) => Object.entries(typed).filter(([name, value]) =>
  ![...document.querySelectorAll(`[name="${name}"]`)].some(el => el.value === value)).map(([name]) => name)"""


@pytest.fixture(scope="module")
def pages(writable_demo_site):
    from vendorrisk.core.db import new_session
    with writable_demo_site.app.app_context():
        session = new_session()
        try:
            return pagemap.candidate_pages(writable_demo_site.app, session)
        finally:
            session.close()


@pytest.mark.parametrize("role", ROLES)
def test_refused_forms_keep_what_was_typed(browser, writable_demo_site, pages, role):
    site = writable_demo_site
    context = site.context(browser, role, "ja", "desktop")
    page = context.new_page()
    tried, lost = 0, {}
    try:
        for _endpoint, path in pagemap.pages_for(site.app, pages, role):
            response = page.goto(site.url + path, wait_until="load")  # nothing left loading when a form is sent
            if response is None or response.status != 200:
                continue  # a record an earlier form removed
            forms = page.evaluate(FORMS_JS, list(SKIPPED_ACTIONS))
            for index, form in enumerate(forms):
                if form["confirm"] or not form["fields"] or form["action"].endswith(SKIPPED_ACTIONS):
                    continue
                if index:
                    page.goto(site.url + path, wait_until="load")
                typed = page.evaluate(FILL_JS, [index, "入力保持"])
                if typed is None:
                    continue
                with page.expect_navigation(wait_until="load"):
                    page.evaluate("(i) => [...document.querySelectorAll('main form')]"
                                  ".filter(f => f.method === 'post')[i].requestSubmit()", index)
                tried += 1
                where = f"{path} → {form['action']}"
                if page.locator(".error-page").count():
                    lost[where] = "a bare error page: " + page.locator(".error-page").inner_text()[:200]
                    continue
                refused = page.locator(".field-error, .flash.error").count() > 0
                if refused and (missing := page.evaluate(KEPT_JS, typed)):
                    lost[where] = "typed values lost: " + ", ".join(missing)
    finally:
        context.close()
    assert tried >= 5
    report = "\n".join(f"{where}\n  {what}" for where, what in lost.items())
    assert not lost, f"{len(lost)} of {tried} forms of {role}:\n{report}"
