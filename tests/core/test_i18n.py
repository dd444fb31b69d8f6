"""Every message in the code and templates has a Japanese translation; locale choice works."""
from pathlib import Path

from babel.messages.extract import extract_from_dir

from vendorrisk.core.i18n import CORE_CATALOGUE, load_catalogues

ROOT = Path(__file__).resolve().parents[2]
KEYWORDS = {"_": None, "gettext": None, "lazy_gettext": None, "_l": None, "ngettext": (1, 2)}


def _messages():
    found = {}
    for folder, method_map in (("vendorrisk", [("**.py", "python"), ("**/templates/**.html", "jinja2")]),
                               ("templates", [("**.html", "jinja2")])):
        for filename, lineno, message, _comments, _ctx in extract_from_dir(
                ROOT / folder, method_map=method_map, keywords=KEYWORDS):
            for msgid in (message if isinstance(message, tuple) else (message,)):
                if msgid:
                    found.setdefault(msgid, f"{folder}/{filename}:{lineno}")
    return found


def _po_files(contributions) -> list[Path]:
    return [CORE_CATALOGUE, *contributions.catalogues]


def test_every_message_has_a_japanese_translation(contributions):
    catalogue = load_catalogues(_po_files(contributions))["ja"]
    missing = [f"{where}: {msgid!r}" for msgid, where in _messages().items()
               if catalogue.gettext(msgid) == msgid]
    assert not missing, "untranslated (add to vendorrisk/<area>/translations/ja.po):\n" + "\n".join(missing)


def test_japanese_browser_gets_japanese(client):
    page = client.get("/login", headers={"Accept-Language": "ja,en;q=0.5"}).get_data(as_text=True)
    assert 'lang="ja"' in page and "ログイン" in page


def test_other_browser_gets_english(client):
    page = client.get("/login", headers={"Accept-Language": "fr-FR,en;q=0.5"}).get_data(as_text=True)
    assert 'lang="en"' in page and "Sign in" in page


def test_user_choice_overrides_browser(client, login, db):
    user = login("procurement")
    client.post("/language", data={"lang": "en", "next": "/"})
    page = client.get("/", headers={"Accept-Language": "ja"}).get_data(as_text=True)
    assert 'lang="en"' in page
    db.refresh(user)
    assert user.language == "en"


def test_dates_are_shown_in_tokyo_time(app):
    from datetime import datetime, timezone

    from vendorrisk.core.i18n import format_local
    with app.app_context():
        assert format_local(datetime(2026, 3, 31, 15, 30, tzinfo=timezone.utc)) == "2026-04-01 00:30 JST"


def test_openpyxl_parses_with_defusedxml():
    import openpyxl
    assert openpyxl.DEFUSEDXML is True


def test_areas_agree_on_each_translation(contributions):
    """One English term, one Japanese term: catalogues of different areas must not disagree."""
    from babel.messages.pofile import read_po

    seen, clashes = {}, []
    for po_path in _po_files(contributions):
        with po_path.open("rb") as fh:
            for message in read_po(fh, locale="ja"):
                if not message.id or not message.string:
                    continue
                key = message.id if isinstance(message.id, str) else message.id[0]
                earlier = seen.setdefault(key, (message.string, po_path.parent.parent.name))
                if earlier[0] != message.string:
                    clashes.append(f"{key!r}: {earlier[1]} {earlier[0]!r} vs {po_path.parent.parent.name} {message.string!r}")
    assert not clashes, "\n".join(clashes)


# placeholders that hold names and labels, which read in Japanese as Japanese words do
NAMED = ("vendor", "name", "parent", "parents", "label", "title", "arrangement", "issuer", "member",
         "questionnaire", "campaign")
JAPANESE = "\u3040-\u30ff\u3400-\u9fff\u3000-\u303f\uff01-\uff5e"


def test_no_space_between_a_name_and_the_japanese_around_it(contributions):
    """「株式会社アルファのモニタリング」, not 「株式会社アルファ のモニタリング」: a name or label
    put into a Japanese sentence is not set apart by spaces (numbers, dates and codes are)."""
    import re

    from babel.messages.pofile import read_po

    names = "|".join(NAMED)
    spaced = re.compile(rf"%\(({names})\)s [{JAPANESE}]|[{JAPANESE}] %\(({names})\)s")
    found = []
    for po_path in _po_files(contributions):
        with po_path.open("rb") as fh:
            for message in read_po(fh, locale="ja"):
                for text in ([message.string] if isinstance(message.string, str) else message.string or []):
                    if text and spaced.search(text):
                        found.append(f"{po_path.parent.parent.name}: {text!r}")
    assert not found, "\n".join(found)
