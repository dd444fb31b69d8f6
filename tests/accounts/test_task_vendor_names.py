"""An English reader's tasks name each vendor by its English name (``vendors.names``), in every
area's task list — monitoring, certificates, questionnaires, selection — and the registered
(Japanese) name to a Japanese reader."""
from flask_babel import force_locale

from tests import factories
from tests.accounts.test_tasks import _world
from vendorrisk.core import clock
from vendorrisk.core import tasks as core_tasks

ENGLISH = {"株式会社担当先": "Tanto K.K.", "株式会社審査先": "Shinsa K.K."}
KINDS = {"record_review", "remediate_finding", "renew_certificate", "review_proposals", "decide_assessment"}


def test_tasks_name_vendors_in_the_readers_language(app, db):
    me = factories.gen_user(db, role="compliance")
    _due, records = _world(app, db, me)
    for vendor in (records["mine"], records["others"]):
        vendor.name_en = ENGLISH[vendor.name]
    db.commit()
    for language, names in (("en", set(ENGLISH.values())), ("ja", set(ENGLISH))):
        with app.test_request_context(), force_locale(language):
            tasks = core_tasks.gather(db, me, clock.today())
        subjects = {t.kind: t.subject for t in tasks if t.kind in KINDS}
        assert set(subjects) == KINDS
        assert {kind: subject for kind, subject in subjects.items() if subject not in names} == {}, language
