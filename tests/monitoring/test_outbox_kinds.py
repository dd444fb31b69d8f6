"""The outbox names each reminder's stage in the reader's words (walk of a first week: the
Kind column showed codes such as due_in_30 and overdue_w35)."""
from datetime import date

from vendorrisk.monitoring.models_reminders import Reminder


def test_the_outbox_names_each_kind_and_shows_an_unknown_one_as_a_code(client, login, db):
    for number, kind in enumerate(("due_in_30", "overdue_w35", "expires_in_60", "request", "end_date",
                                   "due_today", "someday_new")):
        db.add(Reminder(subject_type="review", subject_id=number, kind=kind, due_date=date(2027, 1, 8),
                        recipient=f"owner{number}@test.example", subject_line=f"件名{number}"))
    db.commit()
    login("compliance")
    page = client.get("/outbox/", headers={"Accept-Language": "ja"}).get_data(as_text=True)
    table = page.split('data-test="outbox"', 1)[1]
    for words in ("期限の30日前", "期限超過（35週目）", "期限切れの60日前", "質問票の送付", "委託業務の終了", "期限日"):
        assert words in table, words
    for code in ("due_in_30", "overdue_w35", "expires_in_60", "end_date"):
        assert code not in table, code
    assert '<span class="mono" lang="zxx">someday_new</span>' in table


def test_the_outbox_translates_its_own_error_and_marks_the_mail_servers_as_english(client, login, db):
    """The sentence the sweep writes when it takes back an interrupted send is read in the
    reader's language; the mail server's diagnostics stay as they came, marked English."""
    from vendorrisk.monitoring.sweep import INTERRUPTED
    for number, error in enumerate((INTERRUPTED, "Cannot reach SMTP server 127.0.0.1:25: ConnectionRefusedError")):
        db.add(Reminder(subject_type="review", subject_id=number, kind="due_today", due_date=date(2027, 1, 8),
                        recipient=f"owner{number}@test.example", subject_line=f"件名{number}", last_error=error))
    db.commit()
    login("compliance")
    japanese = client.get("/outbox/", headers={"Accept-Language": "ja"}).get_data(as_text=True)
    assert "送信中に中断されたため、再送します" in japanese and INTERRUPTED not in japanese
    assert '<span lang="en" data-test="last-error">Cannot reach SMTP server 127.0.0.1:25' in japanese
    assert INTERRUPTED in client.get("/outbox/", headers={"Accept-Language": "en"}).get_data(as_text=True)
