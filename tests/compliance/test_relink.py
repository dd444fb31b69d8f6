"""Verdicts relinked from the stored rows (``compliance.relink``: reviews planned or dropped
move only 26-1's link to the open review). The links are compared and written as the JSON
text the column keeps, so that text must be what the JSON column writes on both engines, and a
relink must leave rows equal to the live rules: links that changed, links kept in another
JSON form, a verdict never kept. Runs on both engines (``make test``)."""
import json

from sqlalchemy import Text, bindparam, cast, delete, select, update

from tests.compliance.test_equivalence import _portfolio
from tests.compliance.test_maintained import _live, _maintained
from vendorrisk.compliance import counts as scope_counts
from vendorrisk.compliance import maintain, matrix, relink
from vendorrisk.compliance.models import ComplianceVerdict
from vendorrisk.core import events
from vendorrisk.core.messages import Bilingual, join, msg, to_json
from vendorrisk.monitoring import plans
from vendorrisk.monitoring.models import MonitoringReview

V = ComplianceVerdict.__table__
LINKS = [
    [],
    [(msg("Review"), "/reviews/1")],
    [(msg("Review"), "/reviews/1"), (msg("Completed reviews"), "/reviews/?status=completed&vendor_id=2")],
    [(msg("Reviewed on %(date)s; next due %(due)s.", date="2026-01-05", due="2027-01-05"), 'a "quoted" \\ href'),
     (Bilingual("委託先の一覧", "Vendors"), "/vendors/?q=株式会社\n"), ("a plain label", None)],
    [(join("separator, ", [msg("one"), msg("two %(n)s", n=2)], capitalise=True), "/x"),
     (msg("Listed: %(items)s", items=["a", "b"]), "/y")],  # a parameter that cannot be a key
]


def test_links_text_is_json_dumps_of_the_stored_form():
    text = relink.LinksText()
    for links in LINKS * 2:  # the second time from the labels already encoded
        assert text(links) == json.dumps([[to_json(label), href] for label, href in links])


def _ob():
    return next(o for o in matrix.all_obligations() if o.id == "26-1")


def test_a_relink_leaves_the_rows_the_rules_give_and_rewrites_only_what_moved(app, db):
    ids = _portfolio(db)  # factories: no events, no reviews planned yet
    maintain.rebuild(db)
    db.commit()
    plans.regenerate_plans(db)  # the new reviews' links are relinked at commit
    db.commit()
    assert _maintained(db) == _live(db)
    planned = db.scalars(select(MonitoringReview.vendor_id).where(MonitoringReview.status == "planned")
                         .order_by(MonitoringReview.vendor_id)).all()
    assert len(planned) >= 3
    db.execute(delete(V).where(V.c.obligation == "26-1"))
    maintain.rebuild(db)  # every 26-1 row written again by the JSON column type
    db.commit()
    ob = _ob()
    assert relink.relink(db, ob, ids) == (0, [])  # the text the engine keeps is the text compared
    db.rollback()

    compact, dropped, never = planned[:3]
    kept = db.scalar(select(cast(V.c.links, Text)).where(V.c.vendor_id == compact, V.c.obligation == "26-1"))
    # the same links kept in another JSON form; a review gone (its link must go); a verdict never kept
    db.execute(update(V).where(V.c.vendor_id == compact, V.c.obligation == "26-1")
               .values(links=bindparam("li", type_=relink.JSONText())),
               {"li": json.dumps(json.loads(kept), separators=(",", ":"))})
    db.execute(delete(MonitoringReview.__table__).where(MonitoringReview.vendor_id == dropped,
                                                        MonitoringReview.status == "planned"))
    db.execute(delete(V).where(V.c.vendor_id == never, V.c.obligation == "26-1"))
    scope_counts.rebuild(db.connection())  # counted as never kept
    db.commit()
    assert _maintained(db) != _live(db)
    events.publish(db, events.ReviewsPlanned(frozenset((compact, dropped, never))))
    db.commit()
    assert _maintained(db) == _live(db)
    assert db.scalar(select(cast(V.c.links, Text)).where(V.c.vendor_id == compact, V.c.obligation == "26-1")) == kept
    assert relink.relink(db, ob, ids) == (0, [])
    db.rollback()
