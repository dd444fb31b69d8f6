"""A vendor's audit trail: the vendor page leads an auditor to every change about the vendor
over the year — its sub-outsourcing changed, its findings, its reviews — not only to the
changes of the vendor's own row."""
import re

from tests import factories
from vendorrisk.vendors.findings import Finding

JA = {"Accept-Language": "ja"}


def test_the_vendor_pages_audit_trail_holds_the_changes_of_the_records_naming_it(client, login, db):
    watched = factories.gen_vendor(db, name="株式会社常磐台DC")
    other = factories.gen_vendor(db, name="株式会社ほかの会社")
    backup = factories.gen_vendor(db, name="雲海バックアップ株式会社")
    arrangement = factories.gen_arrangement(db, other)
    link_to_watched = factories.gen_link(db, arrangement, other, watched)
    old_backup = factories.gen_link(db, arrangement, watched, backup, service="バックアップ保管")
    db.add(Finding(vendor_id=watched.id, title="バックアップ先の変更が未通知", severity="medium"))
    db.add(Finding(vendor_id=other.id, title="ほかの会社の指摘", severity="low"))
    db.commit()
    login("procurement")
    removed = client.post(f"/arrangements/{arrangement.id}/links/{old_backup.id}/delete",
                          data={"reason": "バックアップ保管先を変更したため"})
    assert removed.status_code == 302
    login("auditor")
    vendor_page = client.get(f"/vendors/{watched.id}", headers=JA).get_data(as_text=True)
    href = re.search(r'<a href="(/audit/\?[^"]+)">監査証跡</a>', vendor_page).group(1).replace("&amp;", "&")
    trail = client.get(href, headers=JA).get_data(as_text=True)
    text = re.sub(r"<[^>]+>", " ", trail)
    assert "株式会社常磐台DC" in text
    assert "バックアップ保管先を変更したため" in text  # the link it gave up, ended with its reason
    assert "再委託の終了（理由付き）" in text
    assert "バックアップ先の変更が未通知" in text  # its finding
    assert "ほかの会社の指摘" not in text  # not another vendor's finding
    # the link naming it as subcontractor is there too
    assert f'href="/audit/?entity=outsourcing_link&amp;entity_id={link_to_watched.id}"' in trail
    # the filter is said, and kept by the CSV export
    assert "株式会社常磐台DC" in re.search(r'data-test="audit-scope"[^>]*>(.*?)</p>', trail, re.S).group(1)
    csv = client.get(href.replace("/audit/?", "/audit/export.csv?")).get_data(as_text=True)
    assert "バックアップ保管先を変更したため" in csv and "ほかの会社の指摘" not in csv
    assert client.get("/audit/?vendor_id=999999").status_code == 404
