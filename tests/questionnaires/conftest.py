"""Fixtures shared by the questionnaire tests."""
import pytest

from vendorrisk.questionnaires import reader_cells


@pytest.fixture
def sheet_passes(monkeypatch):
    """Every pass the workbook reader makes over a sheet, as (the sheet's path in the
    package, the ``SheetData`` it kept): a test can tell how often a sheet was read and how
    many rows a pass held on to without timing it."""
    passes = []
    read_sheet = reader_cells.read_sheet

    def recording(archive, path, **kwargs):
        sheet = read_sheet(archive, path, **kwargs)
        passes.append((path, sheet))
        return sheet
    monkeypatch.setattr(reader_cells, "read_sheet", recording)
    return passes
