"""Every page of the app's URL map that a role can open, with its path parameters filled
from the demo portfolio, and the checks a Japanese-first page must pass.

The list is generated from ``app.url_map``: GET routes, less the API, static files and
downloads (answers that are not HTML), each kept for the roles its access rule admits.
"""
import re

from sqlalchemy import text

from vendorrisk.core.access import rule_for

SKIPPED_PREFIXES = ("/api/", "/static/", "/healthz", "/readyz", "/login", "/language", "/logout")
DOWNLOAD = re.compile(r"\.(csv|xlsx|docx|zip|ics|pdf)$|/(file|workbook|evidence|attachment|record\.docx)$|"
                      r"/files/|/feed/")

# One demo portfolio fills every parameter: the tier-1 vendor of the deepest important
# chain, and the first record of each kind.
PARAMETERS = {
    "arrangement_id": "SELECT a.id FROM arrangement a JOIN outsourcing_link l ON l.arrangement_id = a.id "
                      "GROUP BY a.id ORDER BY count(*) DESC, a.id LIMIT 1",
    "vendor_id": "SELECT vendor_id FROM arrangement WHERE id = :arrangement_id",
    "link_id": "SELECT min(id) FROM outsourcing_link WHERE arrangement_id = :arrangement_id",
    "certificate_id": "SELECT min(id) FROM certificate",
    "assessment_id": "SELECT min(id) FROM selection_assessment",
    "version_id": "SELECT min(id) FROM contract_version",
    "finding_id": "SELECT min(id) FROM finding",
    "review_id": "SELECT min(id) FROM monitoring_review WHERE status = 'completed'",
    "response_id": "SELECT min(id) FROM questionnaire_response",
    "campaign_id": "SELECT min(id) FROM questionnaire_campaign",
}
FIXED = {"template_id": ["general_outsourcing", "cloud_services"], "version": [1]}
BY_ENDPOINT = {("selection.criteria_set", "key"): ["general", "cloud-art27"],
               ("selection.compare", "key"): ["general"]}
# Query arguments a page needs to show anything (the demo has one version of each criteria set).
QUERIES = {"selection.compare": {"old": 1, "new": 1}}


def _values(session) -> dict:
    values = {}
    for name, query in PARAMETERS.items():
        values[name] = session.execute(text(query), values).scalar()
    return values


def _expand(rule, values: dict, extra: dict) -> list[str]:
    """The paths of ``rule`` with its parameters filled (several when a parameter has options)."""
    paths = [{}]
    for arg in sorted(rule.arguments):
        options = (extra.get((rule.endpoint, arg)) or FIXED.get(arg)
                   or ([values[arg]] if values.get(arg) is not None else None))
        if not options:
            return []
        paths = [dict(p, **{arg: option}) for p in paths for option in options]
    from werkzeug.routing import BuildError
    built = []
    adapter = rule.map.bind("localhost")
    for args in paths:
        args = dict(args, **QUERIES.get(rule.endpoint, {}))
        if args.get("key") == "dependent_arrangements":
            args["vendor_id"] = values["vendor_id"]
        try:
            built.append(adapter.build(rule.endpoint, args))
        except BuildError:
            continue
    return built


def candidate_pages(app, session) -> list[tuple[str, str]]:
    """(endpoint, path) of every GET page of the URL map, parameters filled from the data."""
    from vendorrisk.compliance.dashboard import LISTS
    values = _values(session)
    extra = dict(BY_ENDPOINT)
    extra[("dashboard.figure_list", "key")] = sorted(LISTS)
    pages = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if "GET" not in rule.methods or rule.rule.startswith(SKIPPED_PREFIXES) or DOWNLOAD.search(rule.rule):
            continue
        pages.extend((rule.endpoint, path) for path in _expand(rule, values, extra))
    return pages


def pages_for(app, pages, role: str) -> list[tuple[str, str]]:
    """The pages whose access rule admits ``role``."""
    return [(endpoint, path) for endpoint, path in pages
            if (rule := rule_for(app, endpoint)) is not None and rule.admits(role)]


# --- what a Japanese page must not show --------------------------------------------------

# Proper names and codes that stay in Latin letters in a Japanese page (at most 30).
ALLOWED = ["vendorrisk", "JVCEA", "ISO/IEC", "SOC2", "SOC3", "SOC 2", "SOC 1", "Type I", "Type II", "CSA CAIQ",
           "CAIQ", "HECVAT", "SIG", "SLA", "DORA", "LEI", "Excel", "Word", "PDF", "CSV", "Outlook",
           "Google Calendar", "API", "SHA-256", "JST", "UTC", "Bearer", "make run", "vendorrisk scheduler",
           "vendorrisk remind --once"]
assert len(ALLOWED) <= 30

_REMOVE = [re.compile(p) for p in (
    r"[\w.+-]+@[\w-]+(\.[\w-]+)+",            # e-mail addresses
    r"https?://\S+",                           # URLs
    r"[\w\-.]*\.(xlsx|docx|doc|pdf|csv|txt|md|html|htm|rtf|zip|ics|png|jpg|jpeg|tif|tiff)\b",  # file names and kinds (.xlsx)
)]
ENGLISH_WORDS = re.compile(r"\b[A-Za-z][a-z]{2,}(?:[ ,'’-]+[A-Za-z][a-z]+)+\b|\b[a-z]{3,}\b")
INTERNAL_IDS = [re.compile(p) for p in (
    r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b",      # snake_case keys (general_outsourcing, carved_out)
    r"\b(?=[0-9a-f]*[a-f])(?=[0-9a-f]*[0-9])[0-9a-f]{10,}\b",  # hashes
    r"\b[A-Za-z_]+:\d+(?::[\w-]+)*\b",         # x:y:z references (review:6:1)
    r"\b\d+-\d+-[a-z_]+\b",                    # obligation ids (25-2-roles_responsibilities)
)]


def _strip(text: str) -> str:
    for allowed in sorted(ALLOWED, key=len, reverse=True):
        text = text.replace(allowed, " ")
    for pattern in _REMOVE:
        text = pattern.sub(" ", text)
    return text


def english_in_japanese(text: str) -> list[str]:
    """English words and phrases left in a Japanese page's text."""
    return sorted(set(m.group(0) for m in ENGLISH_WORDS.finditer(_strip(text))))


def internal_ids(text: str) -> list[str]:
    """Keys, hashes and references that are the program's, not the reader's."""
    text = _REMOVE[0].sub(" ", _REMOVE[1].sub(" ", text))
    return sorted({m.group(0) for pattern in INTERNAL_IDS for m in pattern.finditer(text)})


# Run in the page, at each width: how wide the page is, what sticks out (outside any box that
# scrolls by itself), how many rows the menu takes, how tall the header is, and whether a
# word of the header's tools broke over two lines.
LAYOUT_FACTS_JS = """() => {
  const doc = document.documentElement;
  const links = [...document.querySelectorAll('nav.mainnav a')];
  const tops = new Set(links.map(a => Math.round(a.getBoundingClientRect().top)));
  const scrolls = e => { for (let p = e.parentElement; p && p !== document.body; p = p.parentElement) {
      if (['auto', 'scroll', 'hidden'].includes(getComputedStyle(p).overflowX)) return true; } return false; };
  const wide = doc.scrollWidth > doc.clientWidth + 1 ? [...document.querySelectorAll('body *')]
      .filter(e => e.getBoundingClientRect().right > doc.clientWidth + 1 && !scrolls(e))
      .slice(0, 3).map(e => e.tagName.toLowerCase() + (e.getAttribute('class') ? '.' + e.getAttribute('class').split(' ')[0] : ''))
      : [];
  const header = document.querySelector('header.topbar');
  const broken = [...document.querySelectorAll('.tools a, .tools button')]
      .filter(e => e.getClientRects().length > 1 || e.getBoundingClientRect().height > 2 * parseFloat(getComputedStyle(e).lineHeight || 20))
      .map(e => e.innerText.trim());
  // a table squeezed to a character or two per line: cells with words in them narrower than 3em
  const squeezed = [...document.querySelectorAll('main table.grid td, main table.grid th')]
      .filter(c => c.innerText.trim().length >= 4 && c.getBoundingClientRect().width > 0
                   && c.getBoundingClientRect().width < 3 * parseFloat(getComputedStyle(c).fontSize))
      .slice(0, 3).map(c => c.innerText.trim().slice(0, 20));
  return {scrollWidth: doc.scrollWidth, clientWidth: doc.clientWidth, navRows: tops.size, wide: wide,
          headerHeight: header ? Math.round(header.getBoundingClientRect().height) : 0, brokenTools: broken,
          squeezed: squeezed};
}"""

# Run in the page once measured: the text a reader of the page's language sees (every
# <details> opened; content marked as another language, e.g. an English company name with
# lang="en", and quotations from documents (<q>, <blockquote>: a contract's own words) left
# out), and all the text (for internal ids).
PAGE_FACTS_JS = """(lang) => {
  const facts = {error: !!document.querySelector('.error-page')};
  document.querySelectorAll('main details').forEach(d => d.open = true);
  const main = document.querySelector('main');
  facts.allText = main ? main.innerText : '';
  document.querySelectorAll('main [lang]').forEach(e => { if (!e.lang.startsWith(lang)) e.remove(); });
  document.querySelectorAll('main q, main blockquote').forEach(e => e.remove());
  facts.text = main ? main.innerText : '';
  return facts;
}"""
