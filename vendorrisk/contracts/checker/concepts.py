"""Concepts: words of many drafting styles folded into a few ideas, as scorer features.

The learned scorer sees few labelled sentences per clause, so a word it never saw in
training ("examiners", "disentanglement", 立入検査, 業務分担表) would count for nothing. Each
concept below gathers the ways contracts write one idea — in English and in Japanese — and
a sentence gets ``k:<concept>`` for each concept it holds and ``k:<a>+<b>`` for each pair,
so "Ⓟ shall notify Ⓒ of a breach" and "当社は漏えいを直ちに通知" share ``k:notify+incident``
and the weight learned from one style serves the other. Headings give ``hk:<concept>``.
"""
import re
from functools import lru_cache

from vendorrisk.contracts.checker.scan import needed_words

# concept -> (English patterns, Japanese terms); English patterns are regular expressions
# over lower-cased text with word boundaries added, Japanese terms plain substrings.
CONCEPTS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "audit": (("audit\\w*", "inspect\\w*", "examiners?", "examinations?", "on-site visits?", "site visits?",
               "books,? (and )?records", "records and accounts", "access to (its |the )?(records|premises|facilities|systems)", "soc ?[12]",
               "ssae ?1[68]", "isae ?3402"),
              ("監査", "検査", "立入", "立ち入", "実地調査", "調査に協力", "帳簿", "閲覧", "監査報告書")),
    "subcontract": (("sub-?contract\\w*", "sub-?processors?", "delegat\\w*", "third part(y|ies) acting on its behalf",
                     "agents or third parties", "outsourc\\w*", "sub-?vendors?"),
                    ("再委託", "下請", "復委託", "サブ処理者", "再処理者", "外部委託", "第三者に委託", "第三者に行わせ",
                     "第三者に実施させ")),
    "consent": (("consent\\w*", "approv\\w*", "prior written", "authori[sz]\\w*", "object\\w*"),
                ("承諾", "同意", "承認", "許可", "異議")),
    "notify": (("notif\\w*", "notice", "inform\\w*", "advise", "alert\\w*", "communicate"),
               ("通知", "連絡", "報告", "知らせ", "通報")),
    "incident": (("breach\\w*", "incidents?", "unauthori[sz]ed (access|use|disclosure)", "compromis\\w*",
                  "intrusions?", "security events?", "data loss", "leak\\w*"),
                 ("事故", "漏えい", "漏洩", "インシデント", "不正アクセス", "滅失", "毀損", "き損", "侵害", "障害")),
    "prompt": (("promptly", "immediately", "without (undue )?delay", "within \\d+ ?(hours?|days?|business days?)",
                "as soon as"),
               ("直ちに", "速やかに", "遅滞なく", "時間以内", "日以内", "即時")),
    "uptime": (("uptime", "availability", "available \\d", "downtime", "\\d+(\\.\\d+)? ?%", "service levels?",
                "\\bslas?\\b", "performance standards?", "24 ?(hours )?(a|per) day", "24/7", "24 ?x ?7",
                "(7|seven) days (a|per) week"),
               ("稼働率", "可用性", "ダウンタイム", "サービスレベル", "サービス水準", "品質基準", "sla")),
    "credit": (("service credits?", "credits?", "refund\\w*", "fee reduction", "reduc\\w* (the )?fees?", "rebates?",
                "liquidated damages"),
               ("返金", "減額", "クレジット", "差し引", "違約金", "値引")),
    "response": (("response times?", "resolution times?", "respond within", "restor\\w*", "recovery time",
                  "severity (level|1|one)", "priority", "level [1-3] support", "within (one|two|three|four|five|six|eight|ten|twelve)",
                  "escalat\\w*"),
                 ("応答時間", "対応時間", "復旧時間", "初動", "回復時間", "重大度", "優先度")),
    "security": (("security", "secure", "safeguards?", "technical and organi[sz]ational measures", "encrypt\\w*",
                  "firewalls?", "access controls?", "vulnerab\\w*", "penetration test\\w*", "iso ?27001", "malware",
                  "virus\\w*"),
                 ("安全管理", "セキュリティ", "保護措置", "安全保護", "暗号化", "アクセス制御", "脆弱性", "ウイルス",
                  "情報セキュリティ", "安全対策")),
    "personnel": (("personnel", "employees?", "staff", "workers?", "background checks?", "screen\\w*", "training",
                   "individuals? (performing|assigned)"),
                  ("従業員", "従業者", "担当者", "要員", "作業員", "従事者", "従事する者", "研修", "教育")),
    "confidential": (("confidential\\w*", "non-?disclosure", "secrecy", "proprietary information",
                      "shall not disclose", "not (to )?disclose"),
                     ("秘密", "機密", "守秘", "開示してはならない", "漏らして", "第三者に開示")),
    "data": (("customer data", "personal (data|information)", "user data", "client data", "customer content",
              "end[- ]user data", "data subjects?", "protected data", "cardholder data", "customer information"),
             ("個人情報", "個人データ", "顧客データ", "利用者データ", "お客様のコンテンツ", "ユーザーデータ", "顧客情報",
              "データ主体", "保護データ", "エンドユーザー情報", "預託データ")),
    "return": (("return\\w*", "delet\\w*", "destroy\\w*", "destruction", "eras\\w*", "purg\\w*", "export\\w*",
                "extract\\w*", "hand over", "handover"),
               ("返還", "削除", "消去", "廃棄", "返却", "エクスポート", "引き渡", "引渡")),
    "termination": (("terminat\\w*", "expir\\w*", "cancel\\w*", "end of (the )?term", "wind[- ]down"),
                    ("解除", "終了", "解約", "満了", "失効")),
    "transition": (("transition\\w*", "disentangle\\w*", "migrat\\w*", "termination assistance", "exit plan",
                    "successor", "replacement (provider|vendor|supplier)", "continued (use|service)", "run-?off"),
                   ("移行", "引継", "引き継", "引継ぎ", "後継", "撤退")),
    "continuity": (("disaster recovery", "business continuity", "back-?ups?", "contingency", "redundan\\w*",
                    "failover", "\\bbcp\\b", "\\bdr\\b", "emergency", "force majeure"),
                   ("事業継続", "災害", "バックアップ", "復旧", "緊急時", "非常時", "非常事態", "冗長", "代替")),
    "report": (("reports?", "reporting", "statements?", "dashboards?", "metrics", "performance reviews?",
                "review meetings?", "monthly", "quarterly"),
               ("報告書", "報告", "レポート", "月次", "四半期", "定期", "実績")),
    "monitor": (("monitor\\w*", "measur\\w*", "track\\w*", "oversight", "supervis\\w*"),
                ("監視", "モニタリング", "測定", "監督", "管理状況")),
    "location": (("locat\\w*", "countr(y|ies)", "regions?", "territor\\w*", "data cent(er|re)s?", "transfer\\w* outside",
                  "cross-border", "jurisdictions?", "united states", "\\beu\\b", "europe\\w*", "japan"),
                 ("所在", "国内", "国外", "地域", "リージョン", "移転", "日本国内", "データセンター", "保管場所", "米国",
                  "欧州")),
    "key": (("encryption keys?", "keys?", "cryptograph\\w*", "\\bhsms?\\b", "hardware security modules?", "private keys?",
             "key management"),
            ("鍵", "暗号鍵", "秘密鍵", "鍵管理")),
    "regulator": (("regulat\\w*", "authorit(y|ies)", "examiners?", "supervisory", "governmental", "agenc(y|ies)",
                   "\\bfsa\\b", "laws?", "statutes?", "compl\\w* with (all )?applicable"),
                  ("当局", "監督官庁", "法令", "金融庁", "行政機関", "規制", "法律", "官公庁", "監督当局")),
    "roles": (("responsib\\w*", "obligations of", "duties", "roles?",
               "(shall|will|must|agrees to|is to) (\\w+ )?(provide|perform|furnish|maintain|deliver|supply|support|produce|"
               "designate|establish|operate|host|assist|manage|administ\\w*|develop)",
               "scope of (the )?(services|work)", "statement of work", "division of", "each party shall"),
              ("役割", "分担", "責任", "業務分担表", "役割分担", "責任分界", "作業区分", "業務範囲", "委託業務の内容",
               "実施する")),
    "refer": (("as (set forth|described|defined|specified|provided) in", "incorporated (herein )?by reference",
               "exhibit [a-z0-9]", "schedule [a-z0-9]", "appendix [a-z0-9]", "attached hereto", "redacted", "\\*\\*\\*"),
              ("別紙", "別表", "別途", "付属書", "に定めるとおり")),
}


LITERAL_START = re.compile(r"[a-z]{3}")
WORD_START = re.compile(r"(?<![a-z0-9])[a-z0-9*]")


@lru_cache(maxsize=1)
def _compiled() -> tuple[dict, re.Pattern | None, dict, re.Pattern | None, re.Pattern, dict]:
    """English patterns indexed by their first three letters (tried only where a word starts
    with them), the others in one expression, with the literal words one of which a text
    must hold for it to match (``scan.needed_words``; None: not known); Japanese terms in
    one alternation."""
    by_start: dict[str, list[tuple[re.Pattern, str]]] = {}
    rest, rest_names, ja_terms = [], {}, {}
    gate: set[str] | None = set()
    for concept, (en, ja) in CONCEPTS.items():
        for n, pattern in enumerate(en):
            if LITERAL_START.match(pattern):
                by_start.setdefault(pattern[:3], []).append((re.compile(pattern + "(?![a-z0-9])"), concept))
            else:
                group = f"{concept}_{n}"
                rest_names[group] = concept
                rest.append(f"(?P<{group}>{pattern})")
                needs = needed_words(pattern)
                if not needs or gate is None:
                    gate = None  # a pattern that needs no known word: the expression always runs
                else:  # of the sets of words it needs, the one of the longest words
                    gate.update(max(needs, key=lambda words: min(map(len, words))))
        for term in ja:
            ja_terms.setdefault(term, set()).add(concept)
    rest_pattern = re.compile("(?<![a-z0-9])(?:" + "|".join(rest) + ")(?![a-z0-9])") if rest else None
    gate_pattern = re.compile("|".join(map(re.escape, sorted(gate)))) if rest and gate else None
    ja_pattern = re.compile("|".join(re.escape(t) for t in sorted(ja_terms, key=len, reverse=True)))
    return by_start, rest_pattern, rest_names, gate_pattern, ja_pattern, ja_terms


def concepts(text: str) -> set[str]:
    """The concepts of a lower-cased text (English and Japanese)."""
    by_start, rest, rest_names, gate, ja, ja_terms = _compiled()
    found: set[str] = set()
    for m in WORD_START.finditer(text):
        at = m.start()
        for pattern, concept in by_start.get(text[at:at + 3], ()):
            if concept not in found and pattern.match(text, at):
                found.add(concept)
    # the patterns without a literal start: a text holding none of the words they need
    # cannot match them, and most Japanese sentences hold none (speed22; the same concepts)
    if rest is not None and (gate is None or gate.search(text)):
        for m in rest.finditer(text):
            found.add(rest_names[m.lastgroup])
    if not text.isascii():
        for m in ja.finditer(text):
            found.update(ja_terms[m.group(0)])
    return found


def concept_features(text: str, heading: str = "", found: set[str] | None = None,
                     heading_found: set[str] | None = None) -> set[str]:
    """``k:`` features of a lower-cased sentence (concepts and their pairs), ``hk:`` of its
    heading (``found`` / ``heading_found``: their concepts when already known)."""
    ordered = sorted(concepts(text) if found is None else found)
    out = {f"k:{c}" for c in ordered}
    out.update(f"k:{a}+{b}" for i, a in enumerate(ordered) for b in ordered[i + 1:])
    if heading:
        out.update(f"hk:{c}" for c in (concepts(heading) if heading_found is None else heading_found))
    return out
