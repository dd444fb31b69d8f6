"""The parties of a contract and the direction of its obligations.

Every obligation has an owner and a beneficiary. The checker only counts an obligation of
the *provider* (the vendor: 受託者, 乙 when 甲 entrusts the work to 乙, 当社 in a provider's
terms, Contractor / Provider / Supplier / Vendor / Service Provider...) towards the
*customer* (the member: 委託者, お客様, 利用者, Customer / Client / Company / Bank...).

``find_parties`` reads the roles from the preamble and the definitions (``Redwater LLC (the
"Contractor")``, ``執筆者（以下「甲」という。）``, ``乙は、甲に対し…を委託し``) and, for
names that say nothing of a role (``IBM``, ``GitHub``), from what each party does (provides
the services or pays the fees). ``mark_roles`` then writes every mention of a party as one
sign — ``Ⓟ`` for the provider, ``Ⓒ`` for the customer — so that the scorer learns
"Ⓟ shall notify Ⓒ" once for every way of naming the parties, and ``obligor`` tells who owes
the duty of a sentence.
"""
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

PROVIDER, CUSTOMER = "Ⓟ", "Ⓒ"

# Words that name a role wherever they appear (lower-cased English, Japanese as written).
PROVIDER_WORDS_EN = ("service provider", "hosting provider", "provider", "contractor", "supplier", "vendor",
                     "consultant", "outsourcer", "processor", "data importer", "host", "licensor", "servicer",
                     "administrator", "agent")
CUSTOMER_WORDS_EN = ("customer", "client", "licensee", "purchaser", "buyer", "subscriber", "controller",
                     "data exporter", "bank", "company", "member", "fund", "trust", "service recipient", "recipient")
PROVIDER_WORDS_JA = ("受託者", "受託会社", "受注者", "委託先", "当社", "弊社", "サービス提供者", "提供者", "処理者",
                     "データ輸入者", "請負人")
CUSTOMER_WORDS_JA = ("委託者", "委託会社", "発注者", "委託元", "お客様", "利用者", "ユーザー", "会員", "契約者", "皆様",
                     "貴社", "管理者", "データ輸出者", "注文者")
# Roles that name the provider when both sides are named with role words (Company and
# Agent are weaker than Contractor and Customer: they are settled by context).
WEAK_EN = {"company", "agent", "administrator", "fund", "trust", "member", "host", "licensor"}

DEFINED_EN = re.compile(
    r"([A-Z][\w&.,'’\- ]{1,60}?)\s*\(\s*(?:(?i:each|collectively|jointly),?\s*)?(?i:hereinafter|hereafter)?(?:\s*(?i:referred to|called)\s*(?i:as)?)?"
    r"\s*(?i:the\s+)?[\"“”'‘’]{1,2}([A-Z][\w&.\- ]{1,40}?)[\"“”'‘’]{1,2}\s*\)")
# A preamble defines more than the parties: the agreement, its date, the services. A defined
# name is a party only when it is a role word or when the text that introduces it, since the
# previous definition, names a person in law (Inc., Ltd, a Delaware corporation, 株式会社, Mr.).
LEGAL_PERSON = re.compile(
    r"\b(?:inc|incorporated|llc|l\.l\.c|ltd|limited|corp|corporation|company|co|gmbh|ag|s\.a|sa|b\.v|bv|n\.v|nv|plc|"
    r"l\.p|lp|llp|pty|pte|s\.r\.l|srl|a\.s|oy|ab|k\.k|trust|fund|bank|partnership|association|university|mr|ms|mrs)\b"
    r"|株式会社|有限会社|合同会社|一般社団法人|独立行政法人", re.I)
# Terms of service written to the reader: "we" are the provider, "you" the customer.
WE_EN = ("We", "we", "Us", "us", "Our", "our")
YOU_EN = ("You", "you", "Your", "your")
WE_YOU = re.compile(r"\b(we|us|our|you|your)\b", re.I)
WE_YOU_MIN = 10  # uses of each side before a text counts as written to the reader
DEFINED_JA = re.compile(r"([^\s、。「」()（）]{1,30})\s*[(（]\s*以下\s*[「『]([^」』]{1,12})[」』]\s*(?:と|という)")
ENTRUSTS_JA = re.compile(r"(甲|乙|丙|委託者|受託者)(?:は|が)、?(甲|乙|丙|委託者|受託者)に(?:対し、?)?[^。]{0,80}?(?:委託|発注)")
# GitHub は、…: a name in Latin script as the subject of a Japanese sentence
LATIN_SUBJECT_JA = re.compile(r"(?<![A-Za-z0-9&.\-])([A-Z][A-Za-z0-9&.\-]*(?: [A-Z][A-Za-z0-9&.\-]*){0,2}) ?(?:は|が)、?")
LATIN_SUBJECT_MIN = 3
LATIN_NOT_PARTY = {"SLA", "API", "URL", "SOW", "DPA", "IT", "OS", "PC", "ID", "FAQ"}
# 甲（委託者）と乙（受託者）: the role written in brackets after the sign
SIGN_ROLE_JA = re.compile(r"([甲乙])\s*[（(]\s*(委託者|受託者|発注者|受注者|委託元|委託先)\s*[）)]")
# 甲 or 乙 written as a party, not inside a word (甲斐, 甲状腺, 乙種): the sign followed by a
# particle, a bracket or the other sign
SIGN_JA = re.compile(r"(?<![\u4e00-\u9fff])([甲乙])(?=[はがにのへとも及又、。・（(」乙甲]|以外|自身|間)")
# more of what a party does, written around its name (round 11): engaged to provide, paid, paying
SERVICES_EN = r"(?:provide|perform|host|maintain|deliver|render|operate|support|produce|develop|manage|supply|furnish)\b"
PROVIDES_MORE_EN = (r"\b(?:retain|retains|engage|engages|appoint|appoints|hire|hires)\s+NAME\s+to\s+" + SERVICES_EN,
                    r"\bNAME\s+(?:hereby\s+)?(?:agrees|wishes|desires|undertakes)\s+to\s+" + SERVICES_EN,
                    r"\bNAME\s+(?:shall|will|must|agrees to)\s+(?:\w+\s+){0,2}" + SERVICES_EN,
                    r"\b(?:pay|paid\s+to|compensation\s+to|payable\s+to)\s+NAME\b")
PAYS_MORE_EN = (r"\bpaid\s+by\s+NAME\b", r"\bNAME\s+(?:shall|will|agrees to)\s+(?:\w+\s+){0,2}pay\b")
# a name defined with "hereinafter" (also unquoted and without brackets: HEREINAFTER "MMI",
# hereinafter referred to as Party A) is a party, unless it names the agreement or its objects
HEREINAFTER_EN = re.compile(
    r"([A-Z][\w&.,'’\- ]{1,60}?)\s*,?\s*\(?\s*(?i:hereinafter|hereafter)\s*,?\s*(?:(?i:referred\s+to|called)\s*(?i:as)?\s*)?"
    r"(?i:the\s+)?[\"“”'‘’]{0,2}([A-Z][\w&\-]*(?:\s[A-Z][\w&\-]*){0,3})[\"“”'‘’]{0,2}\s*[),.;]?")
NOT_PARTY_EN = {"agreement", "contract", "services", "service", "effective date", "software", "term", "products",
                "project", "work", "site", "confidential information", "system", "exhibit", "schedule"}
# a role word defined anywhere in brackets, whatever stands before it: [ * * * ] (the "Provider"),
# (each and both of them "Recipient")
ROLE_DEFINED_EN = re.compile(r"\(\s*[^()\"“”]{0,40}?[\"“]([A-Z][\w\- ]{1,30}?)[\"”]\s*(?:or\s+[^()]{0,20})?\)")
# BETWEEN X AND Y: the two names, however they are laid out (flattened to one line)
BETWEEN_EN = re.compile(r"\b(?:BETWEEN|[Bb]etween):?\s+(?:[A-Z][a-z]+ Name:\s*)?([A-Z][\w&.\-]*(?:\s+[A-Z][\w&.\-]*){0,5})"
                        r"[^()]{0,120}?\s(?:AND|And|and|&)\s+(?:[A-Z][a-z]+ Name:\s*)?([A-Z][\w&.\-]*(?:\s+[A-Z][\w&.\-]*){0,5})")
NAME_STOP = {"source", "page", "the", "inc", "ltd", "limited", "corp", "corporation", "company", "holding", "holdings",
             "group", "international", "communication", "communications", "systems", "services", "department",
             "departement", "agreement", "contract", "llc", "b.v", "s.a", "a.s", "ag", "gmbh", "plc"}


@dataclass
class Parties:
    """The names of the provider and of the customer as written in one contract."""

    provider: set[str] = field(default_factory=set)
    customer: set[str] = field(default_factory=set)

    @property
    def known(self) -> bool:
        return bool(self.provider and self.customer)

    def role_of(self, name: str) -> str:
        if name in self.provider:
            return PROVIDER
        return CUSTOMER if name in self.customer else ""


def _vocab_role(name: str) -> str:
    lowered = name.lower().strip()
    if name in PROVIDER_WORDS_JA:
        return PROVIDER
    if name in CUSTOMER_WORDS_JA:
        return CUSTOMER
    if lowered in PROVIDER_WORDS_EN:
        return PROVIDER
    if lowered in CUSTOMER_WORDS_EN:
        return CUSTOMER
    return ""


def _context_role(names, text: str) -> int:
    """Positive when the party written as ``names`` is written as providing the services,
    negative when paying (English read without regard to case: MMI's drafting writes
    "DRAGON SYSTEMS" in the preamble and "Dragon Systems" in the body)."""
    provides = pays = 0
    for name in ([names] if isinstance(names, str) else sorted(names)):
        quoted = re.escape(name)
        provides += len(re.findall(rf"{quoted} ?は、?[^。]{{0,40}}(?:提供|実施|履行|納入)(?:する|します|いたします)", text))
        pays += len(re.findall(rf"{quoted} ?は、?[^。]{{0,40}}(?:支払|委託する)", text))
        if name.isascii():
            provides += sum(len(re.findall(p.replace("NAME", quoted), text, re.I)) for p in PROVIDES_MORE_EN)
            pays += sum(len(re.findall(p.replace("NAME", quoted), text, re.I)) for p in PAYS_MORE_EN)
    return provides - pays


def _aliases(name: str, text: str, alone: bool = True) -> set[str]:
    """The ways a party named ``name`` in a heading (``BETWEEN XIMAGE AND SAGEM S.A.``) is
    written in the body: the name and its leading words (``alone``; else the name only), as
    they occur at least three times, in any case."""
    words = [w.strip(".,") for w in name.split()]
    tries = [" ".join(words[:k]) for k in range(len(words), 0, -1)]
    if not alone:
        tries = tries[:1]
    out: set[str] = set()
    for candidate in dict.fromkeys(tries):
        if len(candidate) < 3 or candidate.lower().strip(".") in NAME_STOP:
            continue
        seen = re.findall(rf"(?<![\w&-]){re.escape(candidate)}(?![\w&-])", text, re.I)
        if len(seen) >= 3:
            out.update(form for form in set(seen) if form[:1].isupper())
    return out


def find_parties(text: str) -> Parties:
    """Read who is the provider and who the customer from the text of a contract."""
    return _find_parties(text[:400_000])


@lru_cache(maxsize=64)
def _find_parties(text: str) -> Parties:
    parties = Parties()
    head = text[:6000]
    pairs, since = [], 0
    for m in DEFINED_EN.finditer(head):
        introduced = head[max(since, m.start(1) - 150):m.start(2)]
        pairs.append((m.group(1).strip(" ,"), m.group(2).strip(), bool(LEGAL_PERSON.search(introduced))))
        since = m.end()
    # HEREINAFTER "MMI", hereinafter referred to as Party A: a party, whatever its legal form
    pairs += [(m.group(1).strip(" ,"), m.group(2).strip(), re.sub(r"^the\s+", "", m.group(2).strip().lower())
               not in NOT_PARTY_EN) for m in HEREINAFTER_EN.finditer(head)]
    pairs += [(m.group(1), m.group(2), True) for m in DEFINED_JA.finditer(head)]
    undecided, seen = [], set()
    for full, short, person in pairs:
        role = _vocab_role(short) if short.lower() not in WEAK_EN else ""
        role = role or (_vocab_role(full) if person else "")
        if short in ("甲", "乙", "丙") or not (role or person) or short.lower() in seen or \
                re.sub(r"^the\s+", "", short.lower()) in NOT_PARTY_EN:
            continue
        # the full name joins when it reads as a name (no address, no date)
        names = {short} | ({full} if len(full) <= 40 and full[:1].isupper() and not re.search(r"\d", full) else set())
        if short.isupper() and len(short) >= 4:  # "GARMAN" in the preamble, "Garman" in the body
            names |= _aliases(short, text, alone=False)
        seen.update(n.lower() for n in names)
        if role:
            (parties.provider if role == PROVIDER else parties.customer).update(names)
        elif short[:1].isupper() or re.search(r"[\u3040-\u9fff]", short):
            undecided.append((short, names))
    # a role word defined in brackets after no readable name: [ * * * ] (the "Provider")
    for m in ROLE_DEFINED_EN.finditer(head):
        short = m.group(1).strip()
        if short.lower() not in WEAK_EN and (role := _vocab_role(short)) and short.lower() not in seen:
            seen.add(short.lower())
            (parties.provider if role == PROVIDER else parties.customer).add(short)
    # Party A / Party B: the role defined next to it; else Party A commissions the work (甲方, the
    # convention of contracts drafted this way) and Party B does it — what each does does not settle
    # it (Party A "shall provide" the site documents)
    if "Party A" in head and "Party B" in head:
        named = {short: names for short, names in undecided if short in ("Party A", "Party B")}
        undecided = [(short, names) for short, names in undecided if short not in named]
        sides = {}
        for name in ("Party A", "Party B"):
            tied = re.search(rf"\b{name}\s*:?.{{0,150}}?\(\s*(?:the\s+)?[\"“]([A-Z][\w\- ]{{1,30}}?)[\"”]", head)
            if role := (_vocab_role(tied.group(1)) if tied else ""):
                sides[name] = role
        if len(sides) == 1:
            known, role = next(iter(sides.items()))
            sides[({"Party A", "Party B"} - {known}).pop()] = CUSTOMER if role == PROVIDER else PROVIDER
        sides = sides or {"Party A": CUSTOMER, "Party B": PROVIDER}
        for name, role in sides.items():
            (parties.provider if role == PROVIDER else parties.customer).update(named.get(name, {name}) | {name})
            seen.add(name.lower())
    # BETWEEN XIMAGE AND SAGEM S.A.: names without a definition, as the body writes them
    if not parties.known and (between := BETWEEN_EN.search(head[:3000])):
        for group in (1, 2):
            name = between.group(group)
            if role := _vocab_role(name):
                (parties.provider if role == PROVIDER else parties.customer).add(name)
            elif name.split()[0].lower() not in NOT_PARTY_EN | NAME_STOP and (names := _aliases(name, text)) and \
                    not {n.lower() for n in names} & seen:
                undecided.append((name, names))
    _signs_ja(parties, text, head)
    # names that say nothing of their role: by what they do, then as the other side
    scored = sorted(((_context_role(names, text), short, names) for short, names in undecided[:6]),
                    key=lambda t: -abs(t[0]))
    for score, short, names in scored[:2]:
        if score > 0 and not parties.provider:
            parties.provider.update(names)
        elif score < 0 and not parties.customer:
            parties.customer.update(names)
        elif not parties.provider and parties.customer:
            parties.provider.update(names)
        elif not parties.customer and parties.provider:
            parties.customer.update(names)
    for words, target in ((PROVIDER_WORDS_JA, parties.provider), (CUSTOMER_WORDS_JA, parties.customer)):
        for word in words:
            if word in text and not (parties.provider | parties.customer) & {word}:
                target.add(word)
    # not in a contract of 甲 and 乙: there a Latin name is a third party (AWS は、…を運営する)
    if parties.customer and not {"甲", "乙"} & parties.provider and re.search(r"[\u3040-\u30ff]", text[:3000]):
        _latin_subject_ja(parties, text)
    if not parties.provider and not parties.customer:
        said = [w.lower() for w in WE_YOU.findall(text[:60000])]
        if sum(w in ("we", "us", "our") for w in said) >= WE_YOU_MIN and \
                sum(w in ("you", "your") for w in said) >= WE_YOU_MIN:
            parties.provider.update(WE_EN)
            parties.customer.update(YOU_EN)
    parties.provider -= parties.customer
    return parties


def _latin_subject_ja(parties: Parties, text: str) -> None:
    """Japanese terms that write the provider by its name in Latin script (``GitHub は``,
    ``Mozilla は``, round 14): the name most often the subject of a sentence, at least three
    times, is the provider unless it is written as the one who pays or entrusts."""
    said = Counter(m.group(1) for m in LATIN_SUBJECT_JA.finditer(text[:400_000]))
    if not said:
        return
    name, times = said.most_common(1)[0]
    if times >= LATIN_SUBJECT_MIN and name not in parties.customer and not _vocab_role(name) and \
            name.upper() not in LATIN_NOT_PARTY and _context_role({name}, text) >= 0:
        parties.provider.add(name)


def _signs_ja(parties: Parties, text: str, head: str) -> None:
    """甲/乙 of a Japanese contract. The one who entrusts the work is the customer (乙は、甲に対し
    …の執筆を委託し: 甲 is the provider); else the role written in brackets (甲（委託者）); else the
    drafting convention of 業務委託契約, 甲 the entruster (委託者) and 乙 the entrusted (受託者) —
    also when only one of them is written (an excerpt, an annex: 乙は、…再委託してはならない)."""
    if m := ENTRUSTS_JA.search(text[:20000]):
        first, second = m.group(1), m.group(2)
        if first != second:
            parties.customer.add(first)
            parties.provider.add(second)
        return
    signs = {m.group(1) for m in SIGN_JA.finditer(head)}
    if not signs and not ("甲" in head and "乙" in head):
        return
    roles = {m.group(1): _vocab_role(m.group(2)) for m in SIGN_ROLE_JA.finditer(head)}
    if len(roles) == 1:  # one sign's role written: the other sign is the other side
        known, role = next(iter(roles.items()))
        roles[{"甲": "乙", "乙": "甲"}[known]] = CUSTOMER if role == PROVIDER else PROVIDER
    roles = roles or {"甲": CUSTOMER, "乙": PROVIDER}
    for sign in signs | ({"甲", "乙"} if "甲" in head and "乙" in head else set()):
        (parties.customer if roles.get(sign) == CUSTOMER else parties.provider).add(sign)


def _alternation(names: set[str]) -> str:
    return "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))


@lru_cache(maxsize=64)
def _marker(provider: frozenset, customer: frozenset) -> re.Pattern | None:
    names = {n: PROVIDER for n in provider} | {n: CUSTOMER for n in customer}
    if not names:
        return None
    ascii_names = {n for n in names if n.isascii()}
    parts = []
    if ascii_names:
        parts.append(rf"(?<![\w])(?:the\s+)?(?:{_alternation(ascii_names)})(?:'s|’s)?(?![\w])")
    if other := set(names) - ascii_names:
        parts.append(_alternation(other))
    return re.compile("|".join(parts))


GENERIC_EN = re.compile(r"\b(?:the\s+)?(service provider|provider|contractor|supplier|vendor|customer|client|licensee)(?:'s|’s)?\b",
                        re.I)


def mark_roles(text: str, parties: Parties) -> str:
    """``text`` with each mention of a party written as ``Ⓟ`` or ``Ⓒ`` (a possessive too);
    the generic English role words are marked even when the preamble named nobody."""
    pattern = _marker(frozenset(parties.provider), frozenset(parties.customer))
    if pattern is not None:
        lookup = {n.lower(): r for n, r in [(n, PROVIDER) for n in parties.provider] +
                  [(n, CUSTOMER) for n in parties.customer]}

        def swap(m: re.Match) -> str:
            word = re.sub(r"^the\s+|(?:'s|’s)$", "", m.group(0), flags=re.I).lower()
            role = lookup.get(word) or lookup.get(m.group(0).lower()) or parties.role_of(m.group(0))
            return f" {role} " if role else m.group(0)
        text = pattern.sub(swap, text)
    return GENERIC_EN.sub(lambda m: f" {PROVIDER if m.group(1).lower() not in ('customer', 'client', 'licensee') else CUSTOMER} ",
                          text)


OBLIGOR_EN = re.compile(r"([ⓅⒸ])\s+(?:and\s+its\s+\w+\s+)?(shall|will|must|agrees?|undertakes?|may|is responsible|"
                        r"are responsible|warrants?|represents?|can|is entitled|has the right|should|is obliged|"
                        r"is obligatory|is required|has the responsibility|is not (?:permitted|allowed|entitled)|is prohibited)")
OBLIGOR_JA = re.compile(r"([ⓅⒸ])\s*(?:及び[ⓅⒸ]\s*)?(?:は|が)")
# a permission, not its negation (再委託することができない is a prohibition: a duty)
MAY_JA = re.compile(r"(?:ことができ(?!ない|ません|ず)|できるものと|できます|権利を有(?!しない|しません|さない))")
# Owners that are no one party (round 11). ``Ⓔ``: the parties together — each party, both
# parties, either party, the Parties, Ⓒ and Ⓟ, 甲及び乙, 両当事者 — so the provider is among
# the obligors. ``Ⓝ``: a duty that names no obligor — "the Hardware shall be located", "the
# party responsible for the disclosure will notify", 〜ものとする without a subject.
EACH, NOBODY = "Ⓔ", "Ⓝ"
EACH_EN = re.compile(r"(?:\b(?:each|either|both|neither)\s+(?:of\s+the\s+)?part(?:y|ies)|\b(?:the\s+)?parties(?:\s+hereto)?|"
                     r"[ⓅⒸ]\s+and\s+[ⓅⒸ])(?:\s+\w+){0,3}?\s+(?:shall|will|must|agrees?|undertakes?|may|can|"
                     r"is responsible|are responsible|acknowledges?|warrants?)\b", re.I)
EACH_JA = re.compile(r"(?:[ⓅⒸ]\s*(?:及び|および|と|、)\s*[ⓅⒸ]|両当事者|各当事者|当事者双方|双方|甲乙)\s*(?:は|が)")
# "will" alone is no duty here: "(ii) will collect usage information", "this Agreement will terminate".
# A prohibition is a duty too (round 14): may not, cannot, is prohibited from, …てはならない, 禁止する.
DUTY_EN = re.compile(r"\b(?:shall|must|is required to|are required to|is obliged to|may not|can ?not|"
                     r"(?:is|are) (?:not (?:permitted|allowed|entitled)|prohibited|forbidden)|in no event)\b", re.I)
DUTY_JA = re.compile(r"(?:ものとする|ものとします|なければならない|なければなりません|しなければ|[てで]はならな|[てで]はならず|[てで]はなりません|"
                     r"ことは?できない|ことは?できません|禁止する|禁止します|禁止され|禁じ)")
# a right negated is a prohibition: "Ⓟ may not", "Ⓟ cannot", "neither party may"
NEGATED_EN = re.compile(r"\s*(?:not\b|n't\b)", re.I)


def obligor(sentence: str) -> tuple[str, str]:
    """``(role, modality)`` of a marked sentence: who owes it (``Ⓟ``/``Ⓒ``, ``Ⓔ`` the parties
    together, ``Ⓝ`` a duty that names no obligor, ``""`` none) and whether it is a right
    (``may``) or a duty (``shall``)."""
    en = OBLIGOR_EN.search(sentence)
    ja = OBLIGOR_JA.search(sentence)
    each = EACH_EN.search(sentence) or EACH_JA.search(sentence)
    first = min((m.start() for m in (en, ja) if m), default=len(sentence))
    if each and each.start() <= first:
        may = re.search(r"\b(?:may|can)\b", each.group(0)) or MAY_JA.search(sentence, each.end())
        negated = re.match(r"\s*neither\b", each.group(0), re.I) or NEGATED_EN.match(sentence, each.end())
        return EACH, "may" if may and not negated else "shall"
    if ja and (not en or ja.start() < en.start()):
        return ja.group(1), "may" if MAY_JA.search(sentence, ja.end()) else "shall"
    if en:
        verb = en.group(2)
        if verb in ("may", "can", "is entitled", "has the right") and not NEGATED_EN.match(sentence, en.end()):
            return en.group(1), "may"
        return en.group(1), "shall"
    if DUTY_EN.search(sentence) or DUTY_JA.search(sentence):
        return NOBODY, "shall"
    return "", ""
