"""The Outbox at 1366 px: its headers break between words (English) and wherever Japanese
breaks, never inside an English word; long unbroken values (addresses, errors) still wrap
so the table stays within the page."""
from datetime import date

import pytest

from vendorrisk.monitoring.models_reminders import Reminder

# each header word's text ranges: a word drawn on more than one line was broken inside it
BROKEN_WORDS = """() => {
  const broken = [];
  for (const th of document.querySelectorAll('[data-test=outbox] thead th')) {
    const text = th.firstChild;
    if (!text || text.nodeType !== Node.TEXT_NODE) continue;
    const re = /[A-Za-z]+/g; let m;
    while ((m = re.exec(text.data))) {
      const range = document.createRange();
      range.setStart(text, m.index); range.setEnd(text, m.index + m[0].length);
      const lines = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
      if (lines.size > 1) broken.push(m[0]);
    }
  }
  return broken;
}"""
OVERFLOW = """() => {
  const table = document.querySelector('[data-test=outbox]'), main = document.querySelector('main');
  return [table.getBoundingClientRect().right, main.getBoundingClientRect().right];
}"""


@pytest.mark.parametrize("language", ["en", "ja"])
def test_outbox_headers_break_between_words_and_long_values_still_wrap(page, live_server, sign_in, db, language):
    for n in range(3):
        db.add(Reminder(subject_type="review", subject_id=n + 1, kind="overdue_w12", due_date=date(2026, 3, 2),
                        recipient=f"a.very.long.mailbox.name.for.the.vendor.owner{n}@subsidiary.example.co.jp",
                        language=language, status="failed", attempts=7,
                        subject_line="[vendorrisk] Overdue monitoring review: Nihongo Trading Co. (due 2026-03-02)",
                        last_error="Cannot reach SMTP server smtp.internal.example.co.jp:25 "
                                   "(ConnectionRefusedError:[Errno111]Connection_refused_by_the_remote_host)"))
    db.commit()
    sign_in("compliance", language=language)
    page.goto(f"{live_server}/outbox/")
    assert page.evaluate(BROKEN_WORDS) == []
    table_right, main_right = page.evaluate(OVERFLOW)
    assert table_right <= main_right + 1
