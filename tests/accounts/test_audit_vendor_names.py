"""The audit trail names vendors as the reader knows them: the English name to an English
reader (the record a change is about, a vendor named in a field, the vendor it is filtered to),
the registered name to a Japanese reader."""
import re

from tests import factories


def _text(page: str) -> str:
    return re.sub(r"<[^>]+>", " ", page)


def _records(page: str) -> str:
    """The names under each entry's record (the "Record" column), one line each."""
    return "\n".join(re.findall(r'</a>\s*<br><small>(.*?)</small></td>', page, re.S))


def test_vendor_references_in_the_readers_language(client, login, db):
    vendor = factories.gen_vendor(db, name="株式会社監査対象", name_en="Kansa Taisho K.K.", country="JP")
    sub = factories.gen_vendor(db, name="株式会社再委託先", name_en="Saiitaku K.K.")
    arrangement = factories.gen_arrangement(db, vendor, title="決済基盤")
    db.commit()
    login("compliance")
    client.post(f"/vendors/{vendor.id}/edit", data={"name": "株式会社監査対象", "name_en": "Kansa Taisho K.K.",
                                                    "country": "SG"})
    link = factories.gen_link(db, arrangement, vendor, sub)
    db.commit()
    client.post(f"/arrangements/{arrangement.id}/links/{link.id}/remove", data={"reason": "契約終了"})
    login("auditor")
    for language, shown, hidden in (("en", ("Kansa Taisho K.K.", "Saiitaku K.K."), ("株式会社監査対象", "株式会社再委託先")),
                                    ("ja", ("株式会社監査対象", "株式会社再委託先"), ("Kansa Taisho K.K.", "Saiitaku K.K."))):
        headers = {"Accept-Language": language}
        page = _records(client.get(f"/audit/?entity=vendor&entity_id={vendor.id}", headers=headers).get_data(as_text=True))
        assert shown[0] in page and hidden[0] not in page, language
        scoped = client.get(f"/audit/?vendor_id={vendor.id}", headers=headers).get_data(as_text=True)
        scope = _text(re.search(r'data-test="audit-scope">(.*?)</p>', scoped, re.S).group(1))
        assert shown[0] in scope and hidden[0] not in scope, language
        links = _records(client.get("/audit/?entity=outsourcing_link", headers=headers).get_data(as_text=True))
        assert shown[1] in links and hidden[1] not in links, language
