"""Compliance-matrix rows for chains: Art. 25(4), 26(2) and 26(3).

Each rule answers for many vendors in a few set queries: the chain nodes of the
arrangements concerned come from one recursive query, the rest from grouped queries.
Every query is bounded by the batch: the recursion starts only from the arrangements the
batch's vendors head, so its cost follows the batch, not the portfolio.
"""
from sqlalchemy import and_, func, select

from vendorrisk.core import events
from vendorrisk.core.messages import msg as _  # reasons are stored; rendered when shown
from vendorrisk.core.registry import Verdict, batch_memo, obligation
from vendorrisk.vendors.chain_reach import no_index, probed
from vendorrisk.vendors.models import Arrangement, DataLocation, OutsourcingLink, VendorOwner, current_link

A, L, D = Arrangement.__table__, OutsourcingLink.__table__, DataLocation.__table__


def _arrangement_url(arrangement_id: int, anchor: str = "") -> str:
    return f"/arrangements/{arrangement_id}{anchor}"


def _arrangement_link(arrangement_id: int, title: str, anchor: str) -> tuple[str, str]:
    # named by its title, as the reader knows it (never by its number)
    return title, _arrangement_url(arrangement_id, anchor)


def _link_link(arrangement_id: int, title: str) -> tuple[str, str]:
    return _("Sub-outsourcing in %(arrangement)s", arrangement=title), _arrangement_url(arrangement_id, "#locations")


def _reachable_from(vendor_ids):
    """(arrangement_id, vendor_id) for every vendor reachable in the active chains headed by
    ``vendor_ids`` (UNION: each pair once, which also ends a cycle)."""
    anchor = (select(A.c.id.label("arrangement_id"), A.c.vendor_id.label("vendor_id"))
              .where(A.c.status == "active", A.c.vendor_id.in_(vendor_ids)))
    reach = anchor.cte("batch_reach", recursive=True)
    step = select(reach.c.arrangement_id, L.c.vendor_id).join(
        L, and_(L.c.arrangement_id == reach.c.arrangement_id, L.c.parent_vendor_id == reach.c.vendor_id)
    ).where(current_link(L, reach.c.vendor_id))
    return reach.union(step)


def _chain_links(session, vendor_ids):
    """(owner_id, link id, arrangement_id, approval_status, title) for each link in the active chains
    where the vendor is tier 1, for each link that brings the vendor in as a subcontractor, and
    for each link by which it sub-outsources further down a chain."""
    reach = _reachable_from(vendor_ids)
    # Only the columns the verdict needs: a link id stands for its row in the UNION. The
    # links from the vendors' rows probe their arrangement by index on PostgreSQL too (``probed``;
    # the chains they head start from the vendors' own arrangements already).
    in_chain = (select(A.c.vendor_id.label("owner_id"), L.c.id, L.c.arrangement_id, L.c.approval_status, A.c.title)
                .select_from(reach).join(A, A.c.id == reach.c.arrangement_id)
                .join(L, and_(L.c.arrangement_id == reach.c.arrangement_id, L.c.parent_vendor_id == reach.c.vendor_id))
                .where(A.c.vendor_id.in_(vendor_ids), current_link(L)))
    selects = [in_chain]
    held, on = probed(session, vendor_ids, A, name="held", columns=("title", "status"), id=L.c.arrangement_id)
    for owner in (L.c.vendor_id, L.c.parent_vendor_id):
        selects.append(select(owner.label("owner_id"), L.c.id, L.c.arrangement_id, L.c.approval_status, held.c.title)
                       .select_from(L.join(held, on))
                       .where(owner.in_(vendor_ids), no_index(held.c.status) == "active", current_link(L)))
    return session.execute(selects[0].union(*selects[1:])).mappings().all()


def _first_tier(session, vendor_ids) -> dict[int, list]:
    """The active arrangements each vendor heads (tier 1), shared by the rules of a batch."""
    return batch_memo(session, "chains.first_tier", vendor_ids, lambda: _query_first_tier(session, vendor_ids))


def _query_first_tier(session, vendor_ids) -> dict[int, list]:
    rows = session.execute(select(A.c.vendor_id, A.c.id, A.c.title, A.c.handles_user_data, A.c.user_data_categories)
                           .where(A.c.vendor_id.in_(vendor_ids), A.c.status == "active")
                           .order_by(A.c.id)).all()
    result: dict[int, list] = {}
    for row in rows:
        result.setdefault(row.vendor_id, []).append(row)
    return result


@obligation("25-4", citation_ja="第25条第4項", citation_en="Art. 25(4)",
            title_ja="二段階以上の委託を含む外部委託のリスク管理",
            title_en="Multi-stage outsourcing recorded and every sub-outsourcing approved", order=254,
            moved_by=(events.ChainChanged,),
            doc_ja="外部委託先が一次委託先である委託チェーン上のすべての再委託と、その外部委託先を再委託先とする再委託、及びその外部委託先がさらに行う再委託が承認されていれば充足。不足の場合は未承認の再委託を示します。有効な委託チェーンにない外部委託先は対象外。")
def multi_stage_outsourcing(session, vendor_ids: list[int]) -> dict[int, Verdict]:
    """Met when every sub-outsourcing in the chains the vendor heads (tier 1), every link
    bringing it in as a subcontractor, and every link by which it sub-outsources further, is
    approved; a gap names the links not approved; not applicable to a vendor in no active chain."""
    first = _first_tier(session, vendor_ids)
    links: dict[int, list] = {}
    for row in _chain_links(session, vendor_ids):
        links.setdefault(row["owner_id"], []).append(row)
    result = {}
    for vendor_id in vendor_ids:
        mine = links.get(vendor_id, [])
        if not first.get(vendor_id) and not mine:
            result[vendor_id] = Verdict("not_applicable", _("The vendor is in no active outsourcing chain."))
            continue
        open_links = [row for row in mine if row["approval_status"] != "approved"]
        titles = {row["arrangement_id"]: row["title"] for row in mine} | {a.id: a.title for a in first.get(vendor_id, [])}
        if open_links:
            arrangements = sorted({row["arrangement_id"] for row in open_links})
            result[vendor_id] = Verdict(
                "gap", _("Sub-outsourcing links in its chains not approved: %(count)s.", count=len(open_links)),
                [_arrangement_link(a, titles[a], "#links") for a in arrangements])
        else:
            arrangements = sorted(titles)
            result[vendor_id] = Verdict(
                "met", _("Chain recorded; no sub-outsourcing link awaits approval (links: %(count)s).", count=len(mine)),
                [_arrangement_link(a, titles[a], "#chain") for a in arrangements])
    return result


@obligation("26-2", citation_ja="第26条第2項", citation_en="Art. 26(2)",
            title_ja="外部委託先への要員の配置", title_en="Member staff assigned to the vendor", order=262,
            moved_by=(events.ChainChanged, events.VendorChanged),
            doc_ja="有効な委託業務の一次委託先に当社の要員が1名以上配置されていれば充足、配置がなければ不足。有効な委託業務がない外部委託先は対象外。")
def staff_assigned(session, vendor_ids: list[int]) -> dict[int, Verdict]:
    """Met when a tier-1 vendor of an active arrangement has at least one member of staff
    assigned; a gap when it has none; not applicable to vendors with no active arrangement."""
    first = _first_tier(session, vendor_ids)
    owners = dict(session.execute(select(VendorOwner.vendor_id, func.count())
                                  .where(VendorOwner.vendor_id.in_(vendor_ids))
                                  .group_by(VendorOwner.vendor_id)).all())
    result = {}
    for vendor_id in vendor_ids:
        link = [(_("Vendor"), f"/vendors/{vendor_id}#owners")]
        if not first.get(vendor_id):
            result[vendor_id] = Verdict("not_applicable", _("The vendor has no active arrangement with the member."))
        elif owners.get(vendor_id):
            result[vendor_id] = Verdict("met", _("Members of staff assigned: %(count)s.", count=owners[vendor_id]), link)
        else:
            result[vendor_id] = Verdict("gap", _("No member of staff is assigned to the vendor."), link)
    return result


def _located(link_id):
    """Whether a link has a data location: one index probe per link (``ix_data_location_link_id``).
    Written as a scalar subquery, not ``EXISTS``: PostgreSQL plans an ``EXISTS`` in the select
    list as a hash of every location (a scan of the whole table, growing with the portfolio)
    when it expects more than a few hundred links, as a write to a hub's chain reads."""
    return select(D.c.id).where(D.c.link_id == link_id).limit(1).scalar_subquery().is_not(None)


@obligation("26-3", citation_ja="第26条第3項", citation_en="Art. 26(3)",
            title_ja="利用者データの取扱いの監視・追跡",
            title_en="User-data handling and locations recorded", order=263,
            moved_by=(events.ChainChanged,),
            doc_ja="利用者データを取り扱う外部委託先（利用者データを扱う委託業務の一次委託先、又は利用者データに関わる再委託の再委託先）について、データの種類と保管・処理の場所がすべて記録されていれば充足。不足の場合は記録のない項目を示します。それ以外は対象外。")
def user_data_traced(session, vendor_ids: list[int]) -> dict[int, Verdict]:
    """For vendors that touch user data (tier 1 of an arrangement handling it, or the vendor
    of a link touching it): met when the data categories and every storage/processing
    location are recorded; a gap names what is missing; otherwise not applicable."""
    first = _first_tier(session, vendor_ids)
    located_arrangements = set(session.execute(select(D.c.arrangement_id).where(
        D.c.arrangement_id.in_([a.id for rows in first.values() for a in rows]))).scalars())
    held, on = probed(session, vendor_ids, A, name="held", columns=("title", "status"), id=L.c.arrangement_id)
    link_rows = session.execute(
        select(L.c.vendor_id, L.c.id, L.c.arrangement_id, held.c.title,
               _located(L.c.id).label("located"))
        .select_from(L.join(held, on))
        .where(L.c.vendor_id.in_(vendor_ids), L.c.touches_user_data.is_(True),
               no_index(held.c.status) == "active", current_link(L))).all()
    links: dict[int, list] = {}
    for row in link_rows:
        links.setdefault(row.vendor_id, []).append(row)
    result = {}
    for vendor_id in vendor_ids:
        handling = [a for a in first.get(vendor_id, []) if a.handles_user_data]
        touching = links.get(vendor_id, [])
        if not handling and not touching:
            result[vendor_id] = Verdict("not_applicable", _("The vendor handles no user data for the member."))
            continue
        missing = [_arrangement_link(a.id, a.title, "#locations") for a in handling
                   if a.id not in located_arrangements or not a.user_data_categories]
        missing += [_link_link(r.arrangement_id, r.title) for r in touching if not r.located]
        if missing:
            result[vendor_id] = Verdict(
                "gap", _("Places where user-data categories or locations are missing: %(count)s.", count=len(missing)),
                missing)
        else:
            result[vendor_id] = Verdict("met", _("User-data categories and locations are recorded."),
                                        [_arrangement_link(a.id, a.title, "#locations") for a in handling]
                                        + [_link_link(r.arrangement_id, r.title) for r in touching])
    return result


@obligation("5-2-exit_plan", citation_ja="第5条第2項・第27条第3号", citation_en="Art. 5(2), 27(3)",
            title_ja="重要な外部委託・クラウドの出口計画", title_en="Exit plan for important and cloud outsourcing",
            order=52, moved_by=(events.ChainChanged,),
            doc_ja="外部委託先が一次委託先である有効な委託業務のうち、重要なもの又はクラウドサービスのものすべてに出口計画"
                   "（委託先の障害・契約終了時の移行とデータの返却・消去）が記録されていれば充足。不足の場合は出口計画のない"
                   "委託業務を示します。重要な委託業務・クラウドの委託業務の一次委託先でない外部委託先は対象外。")
def exit_plan_recorded(session, vendor_ids: list[int]) -> dict[int, Verdict]:
    """For the tier-1 vendor of an active arrangement that is important or a cloud service:
    met when every such arrangement records its exit plan (how the service moves and the data
    is returned or disposed of when the vendor fails or the contract ends: the contingency
    plan of Art. 5(2), 23(5), and vendor lock-in under Art. 27(3)); a gap names those without
    one; otherwise not applicable."""
    rows = session.execute(select(A.c.vendor_id, A.c.id, A.c.title, A.c.exit_plan)
                           .where(A.c.vendor_id.in_(vendor_ids), A.c.status == "active",
                                  (A.c.is_important.is_(True)) | (A.c.is_cloud.is_(True)))
                           .order_by(A.c.id)).all()
    held: dict[int, list] = {}
    for row in rows:
        held.setdefault(row.vendor_id, []).append(row)
    result = {}
    for vendor_id in vendor_ids:
        mine = held.get(vendor_id, [])
        if not mine:
            result[vendor_id] = Verdict("not_applicable", _("The vendor heads no active important or cloud "
                                                            "arrangement."))
            continue
        missing = [row for row in mine if not (row.exit_plan or "").strip()]
        if missing:
            result[vendor_id] = Verdict(
                "gap", _("Important or cloud arrangements without an exit plan: %(count)s.", count=len(missing)),
                [_arrangement_link(row.id, row.title, "#exit") for row in missing])
        else:
            result[vendor_id] = Verdict("met", _("Every important or cloud arrangement records its exit plan."),
                                        [_arrangement_link(row.id, row.title, "#exit") for row in mine])
    return result
