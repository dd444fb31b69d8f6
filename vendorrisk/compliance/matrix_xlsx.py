"""The compliance matrix and the outsourcing register as Excel, streamed (write-only mode).

The full matrix is 200,000 rows of 14 cells for 10,000 vendors; openpyxl's write-only sheet
spends ~10 µs on each cell (a Cell object, type checks, one XML element at a time), which
alone would take half a minute. Its rows are therefore written as the same inline-string
XML openpyxl writes (same escaping, same refusal of illegal characters, same cell types),
as UTF-8 built once per distinct value, and streamed into the sheet of a write-only
workbook that openpyxl builds with the styled header, widths, frozen pane and filter
(``sheet_xml.streamed``: deflated as they are written, never spooled to a file). The
texts on every row (an obligation's four cells, the status, yes/no) are references to a
shared string table instead (``sheet_xml.SharedStrings``): a quarter less XML to build,
checksum and deflate, the same cells read back.
"""
import io
import json
from collections import defaultdict
from itertools import chain
from typing import Any, Callable, Iterator

from flask import current_app
from flask_babel import get_domain, gettext
from flask_babel import lazy_gettext as _l
from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from sqlalchemy import func, select
from sqlmodel import Session

from vendorrisk.compliance import link_targets, matrix, store
from vendorrisk.compliance.sheet_xml import MEMO_LIMIT, Cells, SharedStrings, cell, spool_rows, streamed
from vendorrisk.compliance.whole_chains import hash_joins
from vendorrisk.core.i18n import language
from vendorrisk.core.messages import Renderer, japanese_now, render_stored
from vendorrisk.core.xlsx import add_table_sheet
from vendorrisk.vendors.chain_reach import chain_nodes
from vendorrisk.vendors.chains import APPROVAL_BASIS_LABELS, APPROVAL_LABELS
from vendorrisk.vendors.models import Arrangement, DataLocation, OutsourcingLink, Vendor

# in the language of the export's starter (the job runs in it), as are the values a person reads
MATRIX_HEADERS = (_l("Vendor ID"), _l("Vendor"), _l("Vendor (English)"), _l("Chain tier"), _l("Important"),
                  _l("Cloud"), _l("User data"), _l("Obligation ID"), _l("Citation (English)"),
                  _l("Citation (Japanese)"), _l("Obligation title"), _l("Status"), _l("Reason"), _l("Proof"))
OBLIGATION_HEADERS = (_l("Obligation ID"), _l("Citation (English)"), _l("Citation (Japanese)"),
                      _l("Title (English)"), _l("Title (Japanese)"), _l("Rule"))
MATRIX_WIDTHS = (10, 36, 30, 10, 10, 8, 10, 26, 16, 16, 40, 14, 70, 50)
REGISTER_HEADERS = (_l("Arrangement ID"), _l("Arrangement"), _l("Service"), _l("Important"), _l("Cloud"),
                    _l("Arrangement user data"), _l("Tier"), _l("Vendor ID"), _l("Vendor"), _l("Vendor (English)"),
                    _l("Corporate number"), _l("LEI"), _l("Country"), _l("Sub-outsourced by"),
                    _l("Sub-outsourced service"), _l("Link touches user data"), _l("Approval"),
                    _l("Approval basis"), _l("Approved on"), _l("Data locations"))
REGISTER_WIDTHS = (12, 40, 30, 10, 8, 12, 6, 10, 36, 30, 16, 22, 8, 36, 30, 12, 12, 14, 12, 30)
MATRIX_SHEET, OBLIGATION_SHEET, REGISTER_SHEET = _l("Matrix"), _l("Obligations"), _l("Register")

# The export's memory at 50,000 vendors (docs/compliance.md, "The matrix export's memory"):
# a batch's cells wait for its rows to be written as references to their memoised XML, and
# the batch is 200 vendors (4,000 cells); 500 held ~2 MB more at the peak.
EXPORT_BATCH = 200
# The reasons remembered, their stored and their rendered texts: 5,000 of them held 6.2 MB at
# 10k vendors (long flow-down reasons), 4.4 MB more peak RSS than the previous shared memo.
REASON_MEMO_BYTES = 1_000_000
FILTERED_OUT = ()  # a cell the status filter leaves out
# The cells are fetched this many rows at a time, not row by row: psycopg builds a row per
# Python call of fetchone (~25 % of the fetching CPU at 10k vendors), a block in one call.
FETCH_ROWS = 500

Progress = Callable[[int, int], None]  # (done, in all)


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def _headers(headers) -> list[str]:
    return [str(header) for header in headers]


class _Texts:
    """The XML of the reason and proof cells, as UTF-8 bytes, built once per distinct stored
    text: a reason rendered straight from its JSON (``messages.render_stored``); a proof list
    from its links, each label rendered once per distinct label. Reasons repeat across
    vendors and are remembered up to ``REASON_MEMO_BYTES`` (a hub's flow-down reasons are
    long); a proof list names its vendor's records, so proof lists are remembered for one
    batch of vendors (``next_batch``)."""

    def __init__(self, translate: Callable[[str], str], base: str):
        self.translate, self.base, self.japanese = translate, base, japanese_now()
        self.reasons: dict[str | None, bytes] = {}
        self.held = 0  # bytes of the remembered reasons' texts and XML
        self.proofs: dict[str | None, bytes] = {}
        self.labels: dict = {}

    def next_batch(self) -> None:
        self.proofs.clear()

    def reason(self, raw: str | None) -> bytes:
        value = render_stored(json.loads(raw), self.translate, self.japanese) if raw is not None else None
        found = cell(value).encode()
        self.held += len(found) + (len(raw) if raw is not None else 0)
        if self.held > REASON_MEMO_BYTES:
            self.reasons.clear()
            self.held = len(found)
        self.reasons[raw] = found
        return found

    def proof(self, raw: str | None) -> bytes:
        found = self.proofs[raw] = self.links_cell(_PAIRS.decode(raw)) if raw is not None else cell(None).encode()
        return found

    def links_cell(self, links: list) -> bytes:
        """The cell of decoded proof links, each ``label: URL``, separated by `` ; ``."""
        base, labels, parts = self.base, self.labels, []
        for label, href in links:
            if type(label) is not str:  # a tuple of (key, value) pairs: hashable, rendered once
                try:
                    text = labels.get(label)
                except TypeError:  # a label holding a list (a join): its JSON is its key
                    label = json.dumps(_as_dicts(label), sort_keys=True)
                    text = labels.get(label)
                if text is None:
                    if len(labels) >= MEMO_LIMIT:
                        labels.clear()
                    decoded = json.loads(label) if type(label) is str else _as_dicts(label)
                    text = labels[label] = render_stored(decoded, self.translate, self.japanese)
                label = text
            # a path of the app as a URL the file's reader can open: the app's public address first
            parts.append(f"{label}: {base + href if href.startswith('/') else href}")
        return cell(" ; ".join(parts)).encode()


# labels decoded as tuples of (key, value) pairs (one decoder for the export, not one per text)
_PAIRS = json.JSONDecoder(object_pairs_hook=tuple)


def _as_dicts(value: Any) -> Any:
    """A JSON value decoded with ``object_pairs_hook=tuple`` as ``json.loads`` decodes it."""
    if type(value) is tuple:
        return {key: _as_dicts(item) for key, item in value}
    if type(value) is list:
        return [_as_dicts(item) for item in value]
    return value


def spool_matrix(session: Session, filters: matrix.MatrixFilters, spool, progress: Progress | None = None,
                 shared: SharedStrings | None = None) -> int:
    """The matrix sheet's rows, one per (vendor, obligation) the filters admit, written from the
    maintained verdicts batch by batch; returns their count. Everything that repeats is written
    once, as UTF-8 XML: a vendor's seven cells for its twenty rows, an obligation's four cells,
    a status, and each distinct reason and proof list (kept as stored JSON text, decoded and
    translated once per distinct text, not per cell). With ``shared``, the texts on every row
    (an obligation's four cells, the status, yes/no) are references to that table, its
    ``count`` kept (without, they are inline). ``progress(vendors done, vendors in all)`` per
    batch."""
    obligations = matrix.select_obligations(filters.article)
    ids = [o.id for o in obligations]
    # the language's catalogue looked up once for the export, not once per message
    translate = get_domain().get_translations().gettext
    cells = Cells(encoded=True)
    japanese = language() == "ja"
    texts = _Texts(translate, current_app.config["BASE_URL"].rstrip("/"))
    repeated = cells if shared is None else shared.cell  # the texts on every row
    fixed = [(o.id, b"".join(map(repeated, (o.id, o.citation_en, o.citation_ja,
                                            o.title_ja if japanese else o.title_en)))) for o in obligations]
    statuses = {s: repeated(gettext(s.replace("_", " "))) for s in matrix.STATUSES}
    yes_no = {flag: repeated(gettext(_yes(flag))) for flag in (True, False)}
    # the references on a row of each obligation: its own four cells, the flags' three and a status's
    refs = {ob_id: _references(xml) + 3 * _references(yes_no[True]) + _references(statuses[matrix.STATUSES[0]])
            for ob_id, xml in fixed}
    if len({_references(x) for x in (*statuses.values(), *yes_no.values())}) > 1:
        raise RuntimeError("a status or yes/no is shared and another is not")
    referred = 0
    flags = {(a, b, c): yes_no[a] + yes_no[b] + yes_no[c] for a in (True, False) for b in (True, False)
             for c in (True, False)}
    missing = matrix.missing_verdict()
    unanswered = (statuses[missing.status], cell(Renderer(translate)(missing.reason)).encode(), cells(""))
    wanted, mark = filters.status, link_targets.MARK
    reasons, proofs = texts.reasons, texts.proofs

    total = store.count(session, filters) if progress else 0
    number, done = 1, 0
    for batch in store.vendor_batches(session, filters, obligations, batch_size=EXPORT_BATCH):
        # each cell held as its memoised XML (shared by equal cells), not as the fetched texts;
        # a cell whose proof links are looked up when read waits for the batch's targets
        texts.next_batch()
        found: dict[int, dict] = defaultdict(dict)
        looked_up = []
        for vendor_id, ob_id, status, reason, links in chain.from_iterable(
                store.raw_cells(session, [r.id for r in batch], ids).partitions(FETCH_ROWS)):
            if wanted and status != wanted:
                found[vendor_id][ob_id] = FILTERED_OUT
            elif links is not None and mark in links:
                looked_up.append((vendor_id, ob_id, status, reason, links))
            else:
                found[vendor_id][ob_id] = (statuses[status], reasons.get(reason) or texts.reason(reason),
                                           proofs.get(links) or texts.proof(links))
        targets = link_targets.Targets(session, [c[0] for c in looked_up])
        for vendor_id, ob_id, status, reason, links in looked_up:  # links naming their vendor: not memoised
            found[vendor_id][ob_id] = (statuses[status], reasons.get(reason) or texts.reason(reason),
                                       texts.links_cell(targets.entries(vendor_id, _PAIRS.decode(links))))
        del looked_up
        for r in batch:
            parts = []
            # the id and the names are the vendor's own: not memoised
            vendor = ((cell(r.id) + cell(r.name) + cell(r.name_en)).encode() + cells(r.tier)
                      + flags[bool(r.important), bool(r.cloud), bool(r.user_data)])
            mine = found.get(r.id, {})
            for ob_id, obligation in fixed:
                cell_of = mine.get(ob_id)
                if cell_of is None:
                    if wanted and wanted != missing.status:
                        continue
                    cell_of = unanswered
                elif cell_of is FILTERED_OUT:
                    continue
                number += 1
                referred += refs[ob_id]
                parts += (b'<row r="%d">' % number, vendor, obligation, *cell_of, b"</row>")
            spool.write(b"".join(parts))  # a vendor's rows at a time: bounded memory
        done += len(batch)
        if progress:
            progress(done, total)
    if shared is not None:
        shared.count += referred
    return number - 1


def _references(xml: bytes) -> int:
    """How many cells of ``xml`` refer to a shared string."""
    return xml.count(b'<c t="s">')


def rule_text(obligation) -> str:
    """How an obligation is decided, as the rules page says it in the starter's language
    (``doc_ja`` for a Japanese reader when the rule has one), each paragraph on one line:
    a docstring's line breaks and indentation are not the reader's business."""
    doc = obligation.doc_ja if language() == "ja" and obligation.doc_ja else obligation.doc
    return "\n\n".join(" ".join(paragraph.split()) for paragraph in doc.split("\n\n"))


def _written(build, out) -> bytes | None:
    """Run ``build(target)`` into ``out`` (a binary file), or into memory and return the bytes."""
    if out is not None:
        build(out)
        return None
    buffer = io.BytesIO()
    build(buffer)
    return buffer.getvalue()


def matrix_workbook(session: Session, filters: matrix.MatrixFilters, out=None,
                    progress: Progress | None = None) -> bytes | None:
    """The matrix as a workbook: a sheet of cells and a sheet documenting the obligations,
    written into ``out`` (streamed: rows are deflated as they are written) or returned."""
    obligations = matrix.select_obligations(filters.article)

    def skeleton(count: int | None) -> bytes:
        workbook = Workbook(write_only=True)
        add_table_sheet(workbook, str(MATRIX_SHEET), _headers(MATRIX_HEADERS), (), MATRIX_WIDTHS)
        workbook[str(MATRIX_SHEET)].auto_filter.ref = f"A1:{get_column_letter(len(MATRIX_HEADERS))}{(count or 0) + 1}"
        add_table_sheet(workbook, str(OBLIGATION_SHEET), _headers(OBLIGATION_HEADERS),
                        ((o.id, o.citation_en, o.citation_ja, o.title_en, o.title_ja, rule_text(o))
                         for o in obligations), (26, 16, 16, 40, 30, 100))
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()

    shared = SharedStrings()
    return _written(lambda target: streamed(skeleton, lambda sheet: spool_matrix(session, filters, sheet, progress,
                                                                                 shared), target, shared), out)


def _locations(session: Session) -> tuple[dict[int, str], dict[int, str]]:
    by_arrangement, by_link = defaultdict(list), defaultdict(list)
    for arrangement_id, link_id, country, region in session.execute(
            select(DataLocation.arrangement_id, DataLocation.link_id, DataLocation.country, DataLocation.region)
            .order_by(DataLocation.id)):
        text = f"{country}/{region}" if region else country
        (by_arrangement[arrangement_id] if arrangement_id else by_link[link_id]).append(text)
    return ({k: "; ".join(v) for k, v in by_arrangement.items()}, {k: "; ".join(v) for k, v in by_link.items()})


def register_query():
    """Every node of every chain with its arrangement, vendor and (for tier 2+) its link."""
    nodes = chain_nodes()
    arrangement, vendor, link = Arrangement.__table__, Vendor.__table__, OutsourcingLink.__table__
    parent = Vendor.__table__.alias("parent")
    return (select(arrangement.c.id.label("arrangement_id"), arrangement.c.title, arrangement.c.service,
                   arrangement.c.is_important, arrangement.c.is_cloud, arrangement.c.handles_user_data,
                   nodes.c.tier, vendor.c.id.label("vendor_id"), vendor.c.name, vendor.c.name_en,
                   vendor.c.corporate_number, vendor.c.lei, vendor.c.country, parent.c.name.label("parent_name"),
                   link.c.id.label("link_id"), link.c.service.label("link_service"), link.c.touches_user_data,
                   link.c.approval_status, link.c.approval_basis, link.c.approved_on)
            .select_from(nodes.join(arrangement, arrangement.c.id == nodes.c.arrangement_id)
                         .join(vendor, vendor.c.id == nodes.c.vendor_id)
                         .outerjoin(link, link.c.id == nodes.c.link_id)
                         .outerjoin(parent, parent.c.id == nodes.c.parent_vendor_id))
            .order_by(arrangement.c.id, nodes.c.tier, vendor.c.name, link.c.id))


def register_rows(session: Session, progress: Progress | None = None) -> Iterator[tuple]:
    """One spreadsheet row per chain node, streamed from one query; ``progress(arrangements
    done, arrangements in all)`` every few hundred arrangements."""
    by_arrangement, by_link = _locations(session)
    yes = {flag: gettext(_yes(flag)) for flag in (True, False)}  # the starter's language, as the headers
    approval = {**{s: str(label) for s, label in APPROVAL_LABELS.items()},
                **{b: str(label) for b, label in APPROVAL_BASIS_LABELS.items()}}
    total = session.execute(select(func.count()).select_from(Arrangement.__table__)).scalar_one() if progress else 0
    # every chain read by one statement: hash joins on PostgreSQL (``whole_chains``): its CPU
    # for the register 2.6-2.8 -> 1.7-1.8 s at 50k vendors (docs/compliance.md, "PostgreSQL exports")
    with hash_joins(session.connection()) as connection:
        yield from _register_rows(connection.execute(register_query().execution_options(yield_per=2000)),
                                  by_arrangement, by_link, yes, approval, progress, total)


def _register_rows(rows, by_arrangement, by_link, yes, approval, progress, total) -> Iterator[tuple]:
    done, last = 0, None
    for r in rows:
        if r.arrangement_id != last:
            last, done = r.arrangement_id, done + 1
            if progress and done % 200 == 0:
                progress(done, total)
        tier1 = r.link_id is None
        yield (r.arrangement_id, r.title, r.service, yes[bool(r.is_important)], yes[bool(r.is_cloud)],
               yes[bool(r.handles_user_data)], r.tier, r.vendor_id, r.name, r.name_en, r.corporate_number or "",
               r.lei or "", r.country, r.parent_name or "", r.link_service or "",
               "" if tier1 else yes[bool(r.touches_user_data)], "" if tier1 else approval.get(r.approval_status, r.approval_status),
               approval.get(r.approval_basis, r.approval_basis or ""), r.approved_on,
               by_arrangement.get(r.arrangement_id, "") if tier1 else by_link.get(r.link_id, ""))


def register_workbook(session: Session, out=None, progress: Progress | None = None) -> bytes | None:
    """The register of information of every chain, one row per node (streamed like the matrix)."""
    def skeleton(count: int | None) -> bytes:
        workbook = Workbook(write_only=True)
        add_table_sheet(workbook, str(REGISTER_SHEET), _headers(REGISTER_HEADERS), (), REGISTER_WIDTHS)
        workbook[str(REGISTER_SHEET)].auto_filter.ref = \
            f"A1:{get_column_letter(len(REGISTER_HEADERS))}{(count or 0) + 1}"
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()

    return _written(lambda target: streamed(skeleton, lambda sheet: spool_rows(register_rows(session, progress), sheet),
                                            target), out)
