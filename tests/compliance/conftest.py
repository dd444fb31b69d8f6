"""Fixtures of the compliance tests: the three test obligations and a small portfolio."""
import pytest

from tests.compliance.factories import gen_matrix_portfolio, install_test_obligations


@pytest.fixture
def obligations(app):
    """The app's obligations replaced by three test ones (inside an app context)."""
    with app.app_context():
        yield install_test_obligations(app)


@pytest.fixture
def portfolio(db, obligations):
    """Two chains and a vendor outside any chain (``gen_matrix_portfolio``), written by
    factories (no domain event), so the maintained matrix is rebuilt as after a bulk load."""
    from vendorrisk.compliance import maintain
    ids = gen_matrix_portfolio(db)
    maintain.rebuild(db)
    db.commit()
    return ids
