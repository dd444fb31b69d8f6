"""An empty installation's first day: the reviews page says where reviews come from."""


def test_no_review_yet_says_they_follow_the_recorded_arrangements(client, login, db):
    """Walk of a first week: the reviews page of an empty installation said only 「モニタリングは
    ありません。」, not that reviews are planned from the arrangements' chains."""
    login("vendor_owner")
    page = client.get("/reviews/", headers={"Accept-Language": "ja"}).get_data(as_text=True)
    assert 'data-test="no-review-yet"' in page and 'href="/arrangements/"' in page
    overdue = client.get("/reviews/?status=overdue", headers={"Accept-Language": "ja"}).get_data(as_text=True)
    assert "no-review-yet" not in overdue and "モニタリングはありません。" in overdue
