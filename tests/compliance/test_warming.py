"""The matrix export's read ahead (``warming.Ahead``): the batches are the same with it, and on
PostgreSQL the next batch's verdicts are read on a connection of its own, without error."""
import logging

from vendorrisk.compliance import matrix, store, warming


def test_batches_read_ahead_are_the_same(db, portfolio, monkeypatch, caplog):
    reads, original = [], warming.Ahead._read

    def counted(self, last):
        reads.append(last)
        return original(self, last)

    monkeypatch.setattr(warming.Ahead, "_read", counted)
    obligations = matrix.select_obligations()
    for filters in (matrix.MatrixFilters(), matrix.MatrixFilters(status="gap")):
        plain = [[r.id for r in b] for b in store.vendor_batches(db, filters, obligations, batch_size=2)]
        with caplog.at_level(logging.WARNING, logger="vendorrisk.compliance.warming"):
            ahead = [[r.id for r in b] for b in store.vendor_batches(db, filters, obligations, batch_size=2,
                                                                     ahead=True)]
        assert ahead == plain and len(plain) >= 2
    full = [b for f in (matrix.MatrixFilters(), matrix.MatrixFilters(status="gap"))
            for b in store.vendor_batches(db, f, obligations, batch_size=2) if len(b) == 2]
    if db.get_bind().dialect.name == "postgresql":
        # one read per full batch, after that batch's last vendor; none failed
        assert reads == [(b[-1].name, b[-1].id) for b in full]
    else:
        assert reads == []
    assert not [r for r in caplog.records if r.name == "vendorrisk.compliance.warming"]
