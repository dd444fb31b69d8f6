"""Pages speak to compliance users in their words: the command lines that start the scheduler
or rebuild the verdicts are shown to admins only (who run the server); the others are told what
happens and whom to ask, in both languages."""
import pytest

from vendorrisk.compliance.models import ComplianceState

COMMAND_WORDS = ("vendorrisk scheduler", "vendorrisk remind", "make run", "vendorrisk compliance rebuild")
PAGES = ("/reviews/", "/outbox/", "/compliance/")


@pytest.fixture
def stale_rules(db):
    """Maintained verdicts built for other obligations than those registered: the matrix asks
    for a rebuild."""
    db.add(ComplianceState(id=1, obligations="0-1"))
    db.commit()


@pytest.mark.parametrize("language", ["ja", "en"])
@pytest.mark.parametrize("role", ["auditor", "compliance"])
def test_no_command_lines_for_compliance_users(client, login, stale_rules, role, language):
    login(role)
    headers = {"Accept-Language": language}
    for path in PAGES:
        response = client.get(path, headers=headers)
        assert response.status_code == 200, path
        page = response.get_data(as_text=True)
        assert not [w for w in COMMAND_WORDS if w in page], path
    reviews = client.get("/reviews/", headers=headers).get_data(as_text=True)
    ask = "システム管理者に起動を依頼してください" if language == "ja" else "ask your administrator to start it"
    assert ask in reviews
    matrix = client.get("/compliance/", headers=headers).get_data(as_text=True)
    rebuilt = "次回の日次処理で作り直されます" if language == "ja" else "rebuilt at the scheduler's next daily run"
    assert rebuilt in matrix.replace("&#39;", "'")


def test_admins_still_see_the_commands(client, login, stale_rules):
    login("admin")
    assert "vendorrisk scheduler" in client.get("/reviews/").get_data(as_text=True)
    assert "vendorrisk remind --once" in client.get("/outbox/").get_data(as_text=True)
    assert "vendorrisk compliance rebuild" in client.get("/compliance/").get_data(as_text=True)
