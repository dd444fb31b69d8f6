"""A vendor's evidence pack as a ZIP: the files every area contributes (``evidence_source``,
under ``evidence/`` with the path the source gives, e.g. ``evidence/contracts/...``),
the vendor's matrix rows, its findings and its audit-trail extract, with a manifest of
SHA-256 hashes (``manifest.json``, and ``manifest.sha256`` in ``sha256sum`` format).

The CSVs are read by an inspector: headers and values (statuses, severities, sources,
titles) are in the language of whoever started the pack (the job runs in it); only the
columns that are identifiers (obligation ID, finding number) keep the stored keys."""
import hashlib
import io
import json
import posixpath
import zipfile
from datetime import datetime

from flask import current_app
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlmodel import Session

from vendorrisk.compliance import matrix, store
from vendorrisk.core import audit, registry
from vendorrisk.core.i18n import format_local, language
from vendorrisk.core.models import AuditEntry
from vendorrisk.core.xlsx import csv_bytes
from vendorrisk.vendors.findings import Finding, display_closure_evidence, display_title
from vendorrisk.vendors.models import Vendor


def _safe_path(*parts: str) -> str:
    """A relative POSIX path inside the ZIP: no absolute path, no ``..``."""
    segments = [s for part in parts for s in part.replace("\\", "/").split("/") if s not in ("", ".", "..")]
    return "/".join(segments) or "file"


def _unique_paths(files: list[tuple[str, bytes, str]]) -> list[tuple[str, bytes, str]]:
    """Rename repeated paths (``a.pdf``, ``a-2.pdf``) so no file hides another in the ZIP."""
    seen: set[str] = set()
    result = []
    for path, data, description in files:
        stem, dot, ext = path.rpartition(".") if "." in posixpath.basename(path) else (path, "", "")
        candidate, n = path, 2
        while candidate in seen:
            candidate = f"{stem}-{n}{dot}{ext}" if dot else f"{path}-{n}"
            n += 1
        seen.add(candidate)
        result.append((candidate, data, description))
    return result


MATRIX_HEADERS = (_l("Obligation ID"), _l("Citation (English)"), _l("Citation (Japanese)"), _l("Obligation title"),
                  _l("Status"), _l("Reason"), _l("Proof"))
FINDING_HEADERS = (_l("No."), _l("Title"), _l("Severity"), _l("Status"), _l("Source"), _l("Raised"), _l("Due date"),
                   _l("Closed"), _l("Closure evidence"))


def _csv(headers, rows) -> bytes:
    """A CSV (every cell neutralised by ``csv_bytes``) with its headers in the reader's language."""
    return csv_bytes([[str(header) for header in headers], *rows])


def _word(key: str) -> str:
    """A stored status, severity or source (``in_progress``) in the reader's words."""
    return gettext(key.replace("_", " "))


def _absolute(href: str) -> str:
    """A proof link the pack's reader can open away from the app: the app's public address
    (``BASE_URL``) before a path of the app, as in the matrix workbook."""
    return current_app.config["BASE_URL"].rstrip("/") + href if href.startswith("/") else href


def matrix_csv(cells: list[dict]) -> bytes:
    """The vendor's matrix rows: obligation ID as stored, the rest as a reader reads them."""
    japanese = language() == "ja"
    return _csv(MATRIX_HEADERS, [
        (c["obligation"], c["citation"], c["citation_ja"], c["title_ja"] if japanese else c["title"],
         _word(c["status"]), c["reason"],
         " ; ".join(f"{link['label']}: {_absolute(link['href'])}" for link in c["links"]))
        for c in cells])


def findings_csv(findings: list[Finding]) -> bytes:
    """The vendor's findings: number as stored; title, severity, status and source in words;
    times in the member's time zone, as the pages show them."""
    return _csv(FINDING_HEADERS, [
        (f.id, display_title(f), _word(f.severity), _word(f.status), _word(f.source), format_local(f.raised_at),
         f.due_date or "", format_local(f.closed_at), display_closure_evidence(f)) for f in findings])


def audit_extract(session: Session, vendor_id: int) -> list[AuditEntry]:
    """Audit entries about the vendor and about every record that names it (``vendor_id`` or
    ``parent_vendor_id``), whatever the area, oldest first (``core.audit.about_vendor``: the
    vendor page's audit trail shows the same)."""
    return list(session.scalars(select(AuditEntry).where(audit.about_vendor(vendor_id)).order_by(AuditEntry.id)))


def _entry_json(entry: AuditEntry) -> dict:
    return {"id": entry.id, "at": entry.at.isoformat(), "actor": entry.actor, "action": entry.action,
            "entity": entry.entity, "entity_id": entry.entity_id,
            "before": json.loads(entry.before) if entry.before else None,
            "after": json.loads(entry.after) if entry.after else None,
            "request_id": entry.request_id, "hash": entry.hash, "prev_hash": entry.prev_hash}


def evidence_pack(session: Session, vendor: Vendor, generated_at: datetime) -> bytes:
    """Build the ZIP for ``vendor``; every file's SHA-256 is in the manifest, with a description
    in the language the pack is built in (its starter's; areas' sources describe their files so)."""
    files: list[tuple[str, bytes, str]] = []
    sources = registry.current().evidence_sources
    for name in sorted(sources):
        for item in sources[name](session, vendor.id) or ():
            files.append((_safe_path("evidence", item.path), item.data, item.description or name))
    files = _unique_paths(files)
    row = store.vendor_matrix(session, vendor.id)
    obligations = matrix.all_obligations()
    cells = list(matrix.flat_rows([row], obligations)) if row else []
    files.append(("compliance-matrix.csv", matrix_csv(cells), gettext("The vendor's compliance matrix rows")))
    findings = session.scalars(select(Finding).where(Finding.vendor_id == vendor.id).order_by(Finding.id)).all()
    files.append(("findings.csv", findings_csv(list(findings)), gettext("Findings about the vendor")))
    trail = "".join(json.dumps(_entry_json(e), ensure_ascii=False, sort_keys=True) + "\n"
                    for e in audit_extract(session, vendor.id))
    files.append(("audit-trail.jsonl", trail.encode("utf-8"),
                  gettext("Audit-trail entries of the vendor and its records (hash-chained, Art. 11(6))")))
    facts = row.vendor.__dict__ if row else {}
    files.append(("vendor.json", json.dumps({**facts, "corporate_number": vendor.corporate_number,
                                             "country": vendor.country}, ensure_ascii=False, indent=2).encode("utf-8"),
                  gettext("The vendor as recorded")))
    manifest = {"vendor_id": vendor.id, "vendor": vendor.name, "generated_at": generated_at.isoformat(),
                "files": [{"path": path, "size": len(data), "sha256": hashlib.sha256(data).hexdigest(),
                           "description": description} for path, data, description in files]}
    manifest_bytes = json.dumps(manifest, ensure_ascii=False, indent=2).encode("utf-8")
    sums = "".join(f"{f['sha256']}  {f['path']}\n" for f in manifest["files"])
    sums += f"{hashlib.sha256(manifest_bytes).hexdigest()}  manifest.json\n"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path, data, _description in files:
            archive.writestr(path, data)
        archive.writestr("manifest.json", manifest_bytes)
        archive.writestr("manifest.sha256", sums.encode("utf-8"))
    return buffer.getvalue()
