"""The audit trail as an auditor reads it: who did what to which record, field by field,
in the reader's language; people and vendors by name; long values folded."""
import json
import re
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import get_locale
from flask_babel import gettext as _
from sqlmodel import Session, select

from vendorrisk.accounts.audit_criteria import criteria_parts, is_criteria_snapshot
from vendorrisk.accounts.audit_labels import (
    ACTIONS,
    CHECK_RESULTS,
    CODES,
    ENTITIES,
    HIDDEN,
    PEOPLE,
    VENDORS,
    is_checks,
    is_count,
    is_technical_field,
    is_vendor_list,
    label,
    values,
)
from vendorrisk.accounts.devices import device_label
from vendorrisk.core import registry
from vendorrisk.core.i18n import format_local
from vendorrisk.core.messages import render
from vendorrisk.core.models import AuditEntry, User
from vendorrisk.vendors import finding_texts, finding_titles, link_notes
from vendorrisk.vendors.models import Vendor
from vendorrisk.vendors.names import name_column

ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
# Values that are the program's whatever field holds them: a URL, a fingerprint, an IP address,
# a file's media type.
TECHNICAL_VALUE = re.compile(r"^(?:https?://\S+|[0-9a-f]{32,}|\d{1,3}(?:\.\d{1,3}){3}"
                             r"|(?:application|text|image|audio|video|font|multipart)/[\w.+-]+)$", re.I)
FOLD_AT = 160  # characters; a longer value shows its start and unfolds on demand
FOLD_SUMMARY = 80  # characters of a folded value shown before it is unfolded
NAME_KEYS = ("name", "title", "display_name", "original_filename", "filename", "email", "question_id", "clause_id")
# Texts the product stores as a key and parameters beside their English (docs/DEVELOPING.md,
# "Japanese first"): field -> (its key's field, its parameters' field, the message they make).
KEYED_TEXTS = {
    "finding": {
        "title": ("title_key", "title_params", finding_titles.title_message),
        "description": ("description_key", "description_params",
                        lambda key, params: finding_texts.message(finding_texts.DESCRIPTIONS, key, params)),
        "closure_evidence": ("closure_evidence_key", "closure_evidence_params",
                             lambda key, params: finding_texts.message(finding_texts.CLOSURES, key, params)),
    },
    "finding_event": {
        "note": ("note_key", "note_params", lambda key, params: finding_texts.message(finding_texts.NOTES, key, params)),
    },
    "outsourcing_link": {
        "approval_note": ("approval_note_key", "approval_note_params",
                          lambda key, params: finding_texts.message(link_notes.LINK_NOTES, key, params)),
    },
}


@dataclass
class Part:
    """One named value inside a recorded value (an export's chosen options), marked when code."""

    label: str
    text: str
    code: bool = False


@dataclass
class FieldValue:
    """A field's value on one side of a change, as the page shows it: its text (None: no
    value), marked when it is code (a file name, an address, a browser: ``technical``), not
    prose; its full value as a tooltip when shown shortened (a browser by its device); its
    named parts when it holds several (an export's options)."""

    text: str | None
    code: bool = False
    title: str | None = None
    parts: list[Part] | None = None

    def start(self, length: int) -> "FieldValue":
        """The value's first ``length`` characters, marked as the value is (a folded value's
        summary): code as code, and named parts each marked, as far as they fit."""
        parts, room = [], length
        for part in self.parts or ():
            room -= len(part.label) + len(": ") + (len("、") if parts else 0)
            if room <= 0:
                break
            parts.append(Part(part.label, part.text[:room], part.code))
            room -= len(part.text)
            if room <= 0:
                break
        return FieldValue((self.text or "")[:length], self.code, parts=parts or None)


@dataclass
class Change:
    """One field of a recorded change: its label and its value before and after."""

    label: str
    before: FieldValue
    after: FieldValue

    @property
    def long(self) -> bool:
        """Whether a value is long enough to be folded."""
        return max(len(self.before.text or ""), len(self.after.text or "")) > FOLD_AT

    @property
    def summary(self) -> FieldValue:
        """What a folded change shows before it is unfolded: the start of its latest value."""
        return self.latest.start(FOLD_SUMMARY)

    @property
    def latest(self) -> FieldValue:
        """The later of its values: the after, else the before (a deletion records no after).
        An entry that is no change shows only this one."""
        return self.after if self.after.text is not None else self.before


@dataclass
class Row:
    """An audit entry ready to be shown."""

    entry: AuditEntry
    who: str
    action: str
    record: str
    record_name: str
    changes: list[Change] = field(default_factory=list)


def _load(value: str | None) -> dict:
    if not value:
        return {}
    try:
        loaded = json.loads(value)
    except ValueError:
        return {"value": value}
    return loaded if isinstance(loaded, dict) else {"value": loaded}


class Names:
    """People and vendors named in a page of entries, looked up in two queries."""

    def __init__(self, session: Session, entries: list[AuditEntry], snapshots: list[tuple[str, dict]]):
        people, vendors = {e.actor_id for e in entries if e.actor_id}, set()
        for entity, snap in snapshots:
            people |= {v for k, v in snap.items() if k in PEOPLE and isinstance(v, int)}
            vendors |= {v for k, v in snap.items() if k in VENDORS and isinstance(v, int)}
            vendors |= {v for k, vs in snap.items() if is_vendor_list(entity, k) and isinstance(vs, list)
                        for v in vs if isinstance(v, int)}
            params = snap.get("params")  # an export's choices may name a vendor
            if isinstance(params, dict) and isinstance(params.get("vendor_id"), int):
                vendors.add(params["vendor_id"])
        vendors |= {int(e.entity_id) for e in entries if e.entity == "vendor" and e.entity_id.isdigit()}
        self.people = dict(session.exec(select(User.id, User.display_name).where(User.id.in_(people))).all()) if people else {}
        # as the reader knows the vendor: its English name to an English reader (``vendors.names``)
        self.vendors = (dict(session.exec(select(Vendor.id, name_column()).where(Vendor.id.in_(vendors))).all())
                        if vendors else {})

    def person(self, user_id) -> str:
        """A person's name (or their number when the account is gone)."""
        return self.people.get(user_id) or _("user %(id)s", id=user_id)

    def vendor(self, vendor_id) -> str:
        """A vendor's name (or its number when it is gone)."""
        return self.vendors.get(vendor_id) or _("vendor %(id)s", id=vendor_id)


def _show(key: str, value, names: Names, entity: str | None = None) -> str | None:
    if value is None or value == "" or value == [] or value == {}:
        return None
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, int) and is_count(entity, key):
        return _("%(count)s", count=value)  # a number of records: 「3 件」 in Japanese
    if key in PEOPLE and isinstance(value, int):
        return names.person(value)
    if key in VENDORS and isinstance(value, int):
        return names.vendor(value)
    if key == "obligation" and isinstance(value, str):
        ob = registry.current().obligations.get(value)
        if ob is not None:
            locale = get_locale()
            japanese = locale is not None and locale.language == "ja"
            return f"{ob.citation_ja} {ob.title_ja}" if japanese else f"{ob.citation_en} {ob.title_en}"
    if key == "user_agent" and isinstance(value, str):
        return device_label(value)
    if is_criteria_snapshot(entity, key, value):
        return "、".join(f"{part.label}: {part.text}" for part in _parts(key, value, names, entity) or ()) or None
    if (key == "params" or is_checks(entity, key)) and isinstance(value, dict):
        # an export's choices (named fields, a vendor by name); a review's checks (named, in words)
        return "、".join(f"{part.label}: {part.text}" for part in _parts(key, value, names, entity) or ()) or None
    if is_vendor_list(entity, key) and isinstance(value, list):
        return "、".join(names.vendor(v) for v in value)
    if isinstance(value, str) and ISO_DATETIME.match(value):
        try:
            return format_local(datetime.fromisoformat(value))
        except ValueError:
            return value
    words = values(entity, key)
    if isinstance(value, str) and value in words:
        return str(words[value])
    if key in CODES and isinstance(value, str) and not is_technical_field(entity, key):
        return _(value.replace("_", " "))
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False, indent=1)
    return str(value)


def technical(key: str, value, entity: str | None = None) -> bool:
    """Whether a recorded value is the program's rather than prose — shown as code, not as words
    of the reader's language: a value of a ``TECHNICAL`` field (in ``entity``: its
    ``ENTITY_TECHNICAL`` too) that has no words of its own in ``VALUES`` (or a list of such
    values), or any URL, fingerprint, IP address or media type. The one place that decides."""
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        return is_technical_field(entity, key)
    if not isinstance(value, str) or not value:
        return False
    if value in values(entity, key):
        return False
    return is_technical_field(entity, key) or bool(TECHNICAL_VALUE.match(value))


def _title(key: str, value) -> str | None:
    """The value in full when the page shows it shortened: a browser's user agent."""
    return value if key == "user_agent" and isinstance(value, str) and value else None


def _check_text(check) -> str | None:
    """One check of a review in words: its result, and its note after it."""
    if not isinstance(check, dict):
        return None
    result = check.get("result")
    word = str(CHECK_RESULTS[result]) if result in CHECK_RESULTS else (result or "—")
    note = (check.get("note") or "").strip()
    return (_("%(result)s (%(note)s)", result=word, note=note) if note else word)


def _parts(key: str, value, names: Names, entity: str | None = None) -> list[Part] | None:
    """An export's chosen options (``params``) as named values, each marked code or not by
    ``technical`` (a DORA template's id is code, a vendor's name is not); a review's checks,
    each by its name with its result in words and its note."""
    if is_criteria_snapshot(entity, key, value):
        return [Part(name, what, False) for name, what in criteria_parts(value)] or None
    if is_checks(entity, key) and isinstance(value, dict):
        parts = [Part(_label(k, entity), text, False) for k, v in value.items() if (text := _check_text(v))]
        return parts or None
    if key != "params" or not isinstance(value, dict):
        return None
    parts = [Part(_label(k), text, technical(k, v)) for k, v in value.items()
             if (text := _show(k, v, names)) is not None]
    return parts or None


def _readable(entity: str, snapshot: dict) -> dict:
    """``snapshot`` with the texts the product wrote as a key and parameters (``KEYED_TEXTS``)
    in the reader's language; a text without its key beside it (a person's, or one written
    before) as stored."""
    keyed = KEYED_TEXTS.get(entity)
    if not keyed or not snapshot:
        return snapshot
    shown = dict(snapshot)
    for name, (key_field, params_field, message) in keyed.items():
        key, params = snapshot.get(key_field), snapshot.get(params_field)
        if not key or not isinstance(snapshot.get(name), str) or not isinstance(params, (dict, type(None))):
            continue
        try:
            found = message(key, params or {})
            if found is not None:
                shown[name] = render(found).strip()
        except (KeyError, TypeError, ValueError):
            pass  # a parameter this version cannot show: the English as stored
    return shown


def _label(key: str, entity: str | None = None) -> str:
    found = label(entity, key)
    return str(found) if found is not None else _("Other field")


def _field_value(key: str, value, text: str | None, entity: str, names: Names) -> FieldValue:
    """The recorded ``value`` of field ``key`` as the page shows it (``text``: ``_show``'s)."""
    return FieldValue(text, technical(key, value, entity), _title(key, value), _parts(key, value, names, entity))


def _changes(entry: AuditEntry, before: dict, after: dict, names: Names) -> list[Change]:
    keys = [k for k in dict.fromkeys([*before, *after]) if k not in HIDDEN]
    changes = []
    for key in keys:
        old, new = _show(key, before.get(key), names, entry.entity), _show(key, after.get(key), names, entry.entity)
        if old is None and new is None:
            continue
        if entry.action == "update" and old == new:
            continue
        changes.append(Change(_label(key, entry.entity), _field_value(key, before.get(key), old, entry.entity, names),
                              _field_value(key, after.get(key), new, entry.entity, names)))
    return changes


def _record_name(entry: AuditEntry, snapshot: dict, names: Names) -> str:
    if entry.entity == "vendor" and entry.entity_id.isdigit():
        return names.vendor(int(entry.entity_id))
    if entry.entity == "outsourcing_link" and "vendor_id" in snapshot:
        parent = names.vendor(snapshot["parent_vendor_id"]) if snapshot.get("parent_vendor_id") else ""
        return f"{parent} → {names.vendor(snapshot['vendor_id'])}" if parent else names.vendor(snapshot["vendor_id"])
    for key in NAME_KEYS:
        if isinstance(snapshot.get(key), str) and snapshot[key]:
            return snapshot[key][:80]
    if "vendor_id" in snapshot and isinstance(snapshot["vendor_id"], int):
        return names.vendor(snapshot["vendor_id"])
    return ""


def present(session: Session, entries: list[AuditEntry]) -> list[Row]:
    """The entries of one page, each with its changes field by field."""
    parsed = [(_readable(e.entity, _load(e.before)), _readable(e.entity, _load(e.after))) for e in entries]
    names = Names(session, entries, [(e.entity, s) for e, pair in zip(entries, parsed) for s in pair])
    rows = []
    for entry, (before, after) in zip(entries, parsed):
        snapshot = {**before, **after}
        who = names.person(entry.actor_id) if entry.actor_id else _("the system")
        action = ACTIONS.get(entry.action)
        entity = ENTITIES.get(entry.entity)
        number = _("No. %(id)s", id=entry.entity_id) if entry.entity_id.isdigit() else ""
        rows.append(Row(entry, who, str(action) if action else _("Other action"),
                        " ".join(filter(None, [str(entity) if entity else _("Other record"), number])),
                        _record_name(entry, snapshot, names), _changes(entry, before, after, names)))
    return rows
