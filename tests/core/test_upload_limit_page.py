"""A file over the upload limit: the page states the limit and leads back to the form (whose
typed values the browser keeps), in the reader's language; the API answers JSON."""

def test_too_large_upload_states_the_limit_and_leads_back(app, client, login, db):
    from tests import factories
    arrangement = factories.gen_arrangement(db)
    db.commit()
    login("compliance")
    limit = app.config["MAX_UPLOAD_MB"]
    # the body built in memory (the test client would spool a large one to a file it never closes)
    boundary = "limit-test-boundary"
    body = (f'--{boundary}\r\nContent-Disposition: form-data; name="title"\r\n\r\n基本契約書\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.pdf"\r\n'
            f"Content-Type: application/pdf\r\n\r\n").encode() + b"0" * ((limit + 2) * 1024 * 1024) + \
        f"\r\n--{boundary}--\r\n".encode()
    response = client.post(f"/contracts/arrangements/{arrangement.id}/upload", data=body,
                           content_type=f"multipart/form-data; boundary={boundary}", headers={"Accept-Language": "ja"})
    page = response.get_data(as_text=True)
    assert response.status_code == 413
    total = app.config["MAX_CONTENT_LENGTH"] // (1024 * 1024)  # what Flask refuses: the files and the form together
    assert total == limit + 1
    assert f"アップロードの上限（{total} MB、同時に送るファイルの合計）を超えています" in page and "入力画面に戻る" in page
    form = client.get(f"/contracts/arrangements/{arrangement.id}", headers={"Accept-Language": "ja"}).get_data(as_text=True)
    assert f"{limit} MB まで。" in form  # stated before anything is sent


def test_too_large_api_upload_states_the_limit_in_the_readers_language(app, api):
    """An integrator's 413 says the limit, in their language — not Werkzeug's English words."""
    client = api("procurement")
    total = app.config["MAX_CONTENT_LENGTH"] // (1024 * 1024)
    body = b"PK\x03\x04" + b"0" * (app.config["MAX_CONTENT_LENGTH"] + 1024)
    for language, words in (("ja", f"リクエストがアップロードの上限（{total} MB、同時に送るファイルの合計）を超えています。"),
                            ("en", f"The request is larger than the limit of {total} MB (all files sent at once count "
                                   "together).")):
        refused = client.post("/api/v1/register/import?dry_run=1", data=body, headers={"Accept-Language": language},
                              content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        assert refused.status_code == 413
        assert refused.get_json()["error"] == {"code": "request_entity_too_large", "message": words, "details": []}
