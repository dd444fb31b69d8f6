"""One title names one document of an arrangement's contract set (blanks around it, letter
case and full-width forms ignored): a file named like a document is its next version, a new
contract may not take a title the set has, and migrations 0023 and 0024 number the duplicates
an older database holds."""
import io

from sqlalchemy import text
from sqlmodel import select

from tests.contracts.test_set_pages import _send_set, _set_arrangement
from tests.contracts.test_sets import MASTER, SLA
from vendorrisk.contracts.models import Contract, ContractVersion, title_key


def _documents(db, arrangement_id) -> list[tuple[str, int]]:
    db.rollback()
    return db.exec(select(Contract.title, ContractVersion.number)
                   .join(ContractVersion, ContractVersion.contract_id == Contract.id)
                   .where(Contract.arrangement_id == arrangement_id).order_by(Contract.id, ContractVersion.number)).all()


def test_a_new_contract_may_not_take_a_title_of_the_set(client, login, api, db):
    arrangement = _set_arrangement(db)
    login("compliance")
    assert _send_set(client, arrangement.id, [(SLA, "Service Level Agreement.txt")]).status_code == 302
    assert _send_set(client, arrangement.id, [(SLA + b"\n", "service level agreement .md")]).status_code == 302
    assert _documents(db, arrangement.id) == [("Service Level Agreement", 1), ("Service Level Agreement", 2)]
    form = {"title": " SERVICE LEVEL AGREEMENT", "document_kind": "sla", "file": (io.BytesIO(SLA), "sla.txt")}
    page = client.post(f"/contracts/arrangements/{arrangement.id}/upload", data=form, content_type="multipart/form-data",
                       headers={"Accept-Language": "ja"})
    assert page.status_code == 422
    html = page.get_data(as_text=True)
    new_form = html.split('data-test="new-contract"')[1].split("</form>")[0]
    assert "「Service Level Agreement」という件名の文書がすでにあります" in new_form  # next to the title field
    assert 'value=" SERVICE LEVEL AGREEMENT"' in new_form  # what was typed stays
    refused = api("compliance").post(f"/api/v1/arrangements/{arrangement.id}/contracts",
                                     data={"title": "service level agreement", "file": (io.BytesIO(SLA), "sla.txt")},
                                     content_type="multipart/form-data")
    assert refused.status_code == 422
    error = refused.get_json()["error"]
    assert error["message"] == ("The contract set already has a document titled Service Level Agreement: upload the "
                                "file as its new version, or give the new document another title.")
    assert error["details"] == [{"field": "title", "message": error["message"]}]
    contract_id = db.exec(select(Contract.id).where(Contract.arrangement_id == arrangement.id)).one()
    as_version = api("compliance").post(f"/api/v1/arrangements/{arrangement.id}/contracts",
                                        data={"contract_id": str(contract_id), "file": (io.BytesIO(MASTER), "x.txt")},
                                        content_type="multipart/form-data")
    assert as_version.status_code == 201 and as_version.get_json()["version"] == 3
    assert _documents(db, arrangement.id)[-1] == ("Service Level Agreement", 3)


def test_the_migration_numbers_the_documents_an_older_database_holds_twice(app, db):
    """0023: the oldest keeps its title; each later one of the same title, in the order of
    their ids, takes the first free number."""
    from alembic import command

    from vendorrisk.core import migrate
    arrangement, other = _set_arrangement(db), _set_arrangement(db)
    db.commit()
    ids = (arrangement.id, other.id)
    db.close()
    app.extensions["vendorrisk.engine"].dispose()
    command.downgrade(migrate.alembic_config(app), "0022_vendor_register_order")
    with app.extensions["vendorrisk.engine"].begin() as connection:
        for arrangement_id, title in ((ids[0], "SLA"), (ids[0], "sla "), (ids[0], "SLA (2)"), (ids[0], "SLA"),
                                      (ids[1], "SLA"), (ids[0], "基本契約")):
            connection.execute(text("INSERT INTO contract (arrangement_id, title, document_kind, created_at) "
                                    "VALUES (:a, :t, 'other', CURRENT_TIMESTAMP)"), {"a": arrangement_id, "t": title})
    migrate.upgrade(app)
    rows = db.exec(select(Contract.arrangement_id, Contract.title, Contract.title_key).order_by(Contract.id)).all()
    assert rows == [(ids[0], "SLA", "sla"), (ids[0], "sla (2)", "sla (2)"), (ids[0], "SLA (2) (2)", "sla (2) (2)"),
                    (ids[0], "SLA (3)", "sla (3)"), (ids[1], "SLA", "sla"), (ids[0], "基本契約", "基本契約")]


def test_full_width_and_compatibility_forms_name_the_same_document(client, login, db):
    assert title_key("ＳＬＡ") == title_key(" sla ") == "sla"
    assert title_key("ＳＬＡ　２０２６　") == title_key("SLA 2026") == "sla 2026"  # full-width digits and spaces
    assert title_key("㈱Ａ　覚書") == title_key("(株)a 覚書")
    arrangement = _set_arrangement(db)
    login("compliance")
    assert _send_set(client, arrangement.id, [(SLA, "SLA 2026.txt")]).status_code == 302
    assert _send_set(client, arrangement.id, [(SLA + b"\n", "ＳＬＡ　２０２６.txt")]).status_code == 302
    assert _documents(db, arrangement.id) == [("SLA 2026", 1), ("SLA 2026", 2)]


def test_the_fold_migration_numbers_the_documents_that_now_share_a_title(app, db):
    """0024: keys recomputed with NFKC; of titles that now share a key the oldest keeps its
    title and each later one takes the first free number, as 0023 did; the downgrade gives
    0023's keys back."""
    from alembic import command

    from vendorrisk.core import migrate
    arrangement, other = _set_arrangement(db), _set_arrangement(db)
    db.commit()
    ids = (arrangement.id, other.id)
    db.close()
    app.extensions["vendorrisk.engine"].dispose()
    config = migrate.alembic_config(app)
    command.downgrade(config, "0023_contract_title_unique")
    with app.extensions["vendorrisk.engine"].begin() as connection:
        for arrangement_id, title in ((ids[0], "SLA"), (ids[0], "ＳＬＡ"), (ids[0], "SLA (2)"), (ids[0], "ｓｌａ　(2)"),
                                      (ids[1], "ＳＬＡ"), (ids[0], "基本契約")):
            # the key as 0023 computed it (letter case only)
            connection.execute(text("INSERT INTO contract (arrangement_id, title, title_key, document_kind, created_at) "
                                    "VALUES (:a, :t, :k, 'other', CURRENT_TIMESTAMP)"),
                               {"a": arrangement_id, "t": title, "k": title.strip().casefold()})
    migrate.upgrade(app)
    rows = db.exec(select(Contract.arrangement_id, Contract.title, Contract.title_key).order_by(Contract.id)).all()
    assert rows == [(ids[0], "SLA", "sla"), (ids[0], "ＳＬＡ (2)", "sla (2)"), (ids[0], "SLA (2) (2)", "sla (2) (2)"),
                    (ids[0], "ｓｌａ　(2) (3)", "sla (2) (3)"), (ids[1], "ＳＬＡ", "sla"), (ids[0], "基本契約", "基本契約")]
    db.close()
    app.extensions["vendorrisk.engine"].dispose()
    command.downgrade(config, "0023_contract_title_unique")
    with app.extensions["vendorrisk.engine"].connect() as connection:
        keys = connection.execute(text("SELECT title, title_key FROM contract ORDER BY id")).all()
    assert [tuple(k) for k in keys] == [("SLA", "sla"), ("ＳＬＡ (2)", "ｓｌａ (2)"), ("SLA (2) (2)", "sla (2) (2)"),
                                        ("ｓｌａ　(2) (3)", "ｓｌａ　(2) (3)"), ("ＳＬＡ", "ｓｌａ"), ("基本契約", "基本契約")]
    migrate.upgrade(app)
