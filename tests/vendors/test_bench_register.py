"""The scale bench's vendors are stored as the app stores them (normalised name, 50音 key),
so that the bench's register sorts as production's does."""
import importlib.util
from pathlib import Path

from sqlmodel import select

from vendorrisk.vendors.kana import reading_key
from vendorrisk.vendors.models import READING_ORDER, Vendor
from vendorrisk.vendors.service import normalise_name

SCALE = Path(__file__).resolve().parents[2] / "bench" / "scale.py"


def test_bench_vendors_carry_the_apps_keys(app, db):
    spec = importlib.util.spec_from_file_location("bench_scale", SCALE)
    scale = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(scale)
    scale.populate(db, 40)
    vendors = db.exec(select(Vendor)).all()
    assert len(vendors) == 40
    for vendor in vendors:
        assert vendor.name_normalized == normalise_name(vendor.name)
        assert vendor.kana_key and vendor.kana_key == reading_key(vendor.name_kana, vendor.name_normalized)
    names = [v.name for v in db.exec(select(Vendor).order_by(*READING_ORDER)).all()]
    assert names[:2] == ["Aクラウド0", "Aクラウド1"] and names[-1] == "ベンチ株式会社00034"  # 英数字, then 50音
