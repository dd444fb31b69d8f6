"""The evidence pack's manifest describes every file in the language the pack is built in
(its starter's): the compliance area's own files and the files other areas contribute."""
import io
import json
import zipfile

import pytest

from tests import factories
from tests.helpers import exported
from tests.selection.factories import gen_assessment
from vendorrisk.vendors.models import Vendor

EXPECTED = {
    "ja": {"compliance-matrix.csv": "外部委託先の規程充足マトリクスの行",
           "findings.csv": "外部委託先に関する指摘事項",
           "audit-trail.jsonl": "外部委託先とその記録の監査証跡（ハッシュで連結、第11条第6項）",
           "vendor.json": "登録されている外部委託先の情報",
           "evidence/monitoring/reviews_and_findings.xlsx": "モニタリングの記録と指摘事項（第26条第1項、第24条のガイドライン）",
           "selection": "選定評価 {id}（承認待ち）、第25条第1項",
           "chains": "外部委託先の委託チェーン（最終受託者まで"},
    "en": {"compliance-matrix.csv": "The vendor's compliance matrix rows",
           "findings.csv": "Findings about the vendor",
           "audit-trail.jsonl": "Audit-trail entries of the vendor and its records (hash-chained, Art. 11(6))",
           "vendor.json": "The vendor as recorded",
           "evidence/monitoring/reviews_and_findings.xlsx": "Monitoring reviews and findings (Art. 26(1), Art. 24 guideline)",
           "selection": "Selection assessment {id} (submitted), Art. 25(1)",
           "chains": "Outsourcing chains of the vendor down to the final contractors"},
}


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_manifest_descriptions_are_in_the_packs_language(app, client, login, db, portfolio, lang):
    vendor = db.get(Vendor, portfolio["1"])
    assessment = gen_assessment(db, vendor, factories.gen_user(db, role="procurement"), "submitted")
    db.commit()
    login("auditor")
    response = exported(app, client, f"/compliance/vendors/{vendor.id}/evidence-pack.zip",
                        headers={"Accept-Language": lang})
    manifest = json.loads(zipfile.ZipFile(io.BytesIO(response.data)).read("manifest.json"))
    described = {entry["path"]: entry["description"] for entry in manifest["files"]}
    expected = EXPECTED[lang]
    for path in ("compliance-matrix.csv", "findings.csv", "audit-trail.jsonl", "vendor.json",
                 "evidence/monitoring/reviews_and_findings.xlsx"):
        assert described[path] == expected[path], path
    selection = next(d for p, d in described.items() if p.startswith("evidence/selection/"))
    assert selection == expected["selection"].format(id=assessment.id)
    chains = next(d for p, d in described.items() if p.startswith("evidence/chains/"))
    assert chains.startswith(expected["chains"])
