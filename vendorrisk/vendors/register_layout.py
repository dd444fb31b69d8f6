"""The register workbook's sheet and column names in each language, and reading them back.

English names are the keys the reader works with (``vendors``, ``name_kana`` ...); a Japanese
reader's export (``register_export``) writes the Japanese names below, and the import
(``register_reader``) takes either, so a workbook exported in one language imports as it is.
These names are a file format, not page text: they are fixed here rather than in the
catalogue, so that a translation edited later cannot make an export already out unreadable.
"""
import unicodedata

SHEETS_JA = {"register": "外部委託台帳", "vendors": "委託先", "arrangements": "委託業務", "links": "再委託",
             "ended_links": "終了した再委託"}
COLUMNS_JA = {
    "register": {
        "arrangement_ref": "委託業務番号", "arrangement": "委託業務", "important": "重要",
        "arrangement_user_data": "委託業務の利用者データ", "tier": "階層", "path": "経路",
        "vendor_ref": "委託先番号", "vendor": "委託先", "vendor_en": "委託先（英語名）",
        "corporate_number": "法人番号", "country": "国", "parent_vendor": "再委託元",
        "is_final_contractor": "最終委託先", "service": "サービス", "approval_status": "承認状況",
        "approval_basis": "承認の根拠", "approved_on": "承認日", "approved_by": "承認者",
        "touches_user_data": "利用者データの取扱い", "data_locations": "データ所在地"},
    "vendors": {
        "ref": "番号", "name": "名称", "name_kana": "フリガナ", "name_en": "英語名", "corporate_number": "法人番号",
        "lei": "LEI", "country": "国", "address": "所在地", "representative": "代表者",
        "is_system_subsidiary": "システム子会社", "is_cloud": "クラウド", "status": "ステータス",
        "risk_tier": "リスク区分", "notes": "備考"},
    "arrangements": {
        "ref": "番号", "vendor": "委託先", "title": "委託業務名", "service": "サービス",
        "business_function": "業務機能", "is_important": "重要", "is_cloud": "クラウド",
        "handles_user_data": "利用者データの取扱い", "user_data_categories": "利用者データの種類",
        "subcontracting_allowed": "再委託の可否", "start_date": "開始日", "end_date": "終了日",
        "notice_period_days": "解約予告期間（日）", "exit_plan": "出口計画", "data_locations": "データ所在地",
        "status": "ステータス", "terminated_on": "契約終了日", "data_disposition": "データの処理",
        "data_disposition_confirmed_on": "データ処理の確認日", "exit_note": "契約終了の記録"},
    "links": {
        "arrangement": "委託業務", "parent_vendor": "再委託元", "vendor": "再委託先", "service": "サービス",
        "touches_user_data": "利用者データの取扱い", "approval_status": "承認状況", "approval_basis": "承認の根拠",
        "approved_on": "承認日", "data_locations": "データ所在地"},
    # the history: written, never read back (an import records the chain as it is now)
    "ended_links": {
        "arrangement": "委託業務", "parent_vendor": "再委託元", "vendor": "再委託先", "service": "サービス",
        "touches_user_data": "利用者データの取扱い", "approval_status": "承認状況", "approval_basis": "承認の根拠",
        "approved_on": "承認日", "recorded_on": "登録日", "ended_on": "終了日", "end_reason": "終了の理由",
        "data_locations": "データ所在地"},
}
YES_NO_JA = {True: "はい", False: "いいえ"}
# An approval's status and basis as the pages name them (``chains.APPROVAL_LABELS``,
# ``APPROVAL_BASIS_LABELS``), fixed here as the yes/no words are: a file format. The import
# reads the only status it takes, unapproved, back in either language (``UNAPPROVED``).
APPROVAL_WORDS = {
    "ja": {"approved": "承認済み", "pending": "承認待ち", "unapproved": "未承認"},
    "en": {"approved": "approved", "pending": "pending approval", "unapproved": "unapproved"},
}
BASIS_WORDS = {
    "ja": {"prior_consent": "事前承諾", "notification": "事前通知"},
    "en": {"prior_consent": "prior consent", "notification": "notification"},
}
UNAPPROVED = ("unapproved", APPROVAL_WORDS["ja"]["unapproved"])
# A vendor's status and risk tier as the pages name them (``_(status|replace('_', ' '))``,
# ``_(risk_tier)``), fixed the same way; the import reads them back (``vendor_code``).
STATUS_WORDS = {
    "ja": {"prospect": "候補", "under_assessment": "審査中", "approved": "承認済み",
           "conditionally_approved": "条件付き承認", "rejected": "否認", "terminated": "契約終了"},
    "en": {"prospect": "prospect", "under_assessment": "under assessment", "approved": "approved",
           "conditionally_approved": "conditionally approved", "rejected": "rejected", "terminated": "terminated"},
}
# An arrangement's status and the disposition of its data at its end (``vendors.exits``), as
# the pages name them; written by the export, read by the import only to refuse an end (it
# takes arrangements in force: ``register_reader.refuse_arrangement_end``).
ARRANGEMENT_STATUS_WORDS = {"ja": {"active": "有効", "terminated": "契約終了"},
                            "en": {"active": "active", "terminated": "terminated"}}
DISPOSITION_WORDS = {
    "ja": {"returned": "当社へ返却", "deleted": "委託先で消去", "migrated": "他の委託先へ移行",
           "retained_by_law": "法令に基づき保持", "no_member_data": "当社データの保持なし"},
    "en": {"returned": "returned to the member", "deleted": "deleted by the vendor",
           "migrated": "migrated to another vendor", "retained_by_law": "retained as required by law",
           "no_member_data": "no member data held"},
}
TIER_WORDS = {
    "ja": {"critical": "最重要", "high": "高", "medium": "中", "low": "低"},
    "en": {"critical": "critical", "high": "high", "medium": "medium", "low": "low"},
}


def _folded(text: str) -> str:
    """A name as compared: NFKC (full- and half-width alike), no surrounding space, lower case."""
    return unicodedata.normalize("NFKC", text).strip().lower()


_SHEET_KEYS = {_folded(name): key for key, name in SHEETS_JA.items()}
_COLUMN_KEYS = {sheet: {_folded(label): key for key, label in columns.items()} for sheet, columns in COLUMNS_JA.items()}


def sheet_title(key: str, japanese: bool) -> str:
    """The name a sheet is written under."""
    return SHEETS_JA[key] if japanese else key


def headers(sheet: str, keys: list[str], japanese: bool) -> list[str]:
    """A sheet's header row: the keys, or their Japanese names."""
    return [COLUMNS_JA[sheet][key] for key in keys] if japanese else list(keys)


def shown(problem: dict, japanese: bool) -> tuple[str, str]:
    """An import problem's sheet and column as a reader sees them: for a Japanese reader the
    Japanese name after the key (``vendors（委託先）``), as the workbook may use either."""
    sheet, column = problem.get("sheet") or "", problem.get("column") or ""
    if not japanese:
        return sheet, column
    sheet_ja, column_ja = SHEETS_JA.get(sheet), COLUMNS_JA.get(sheet, {}).get(column)
    return (f"{sheet}（{sheet_ja}）" if sheet_ja else sheet, f"{column}（{column_ja}）" if column_ja else column)


def sheet_key(title: str) -> str:
    """The key of a sheet named in either language (an unknown name is returned folded)."""
    folded = _folded(title)
    return _SHEET_KEYS.get(folded, folded)


def column_key(sheet: str, header: str) -> str:
    """The key of a column headed in either language (an unknown header is returned folded)."""
    folded = _folded(header)
    return _COLUMN_KEYS.get(sheet, {}).get(folded, folded)


def word(words: dict, code: str | None, japanese: bool) -> str:
    """A code (status, tier) as the workbook writes it: the page's word in its language."""
    return words["ja" if japanese else "en"].get(code, code or "")


def vendor_code(words: dict, text: str) -> str:
    """The code of a status or tier written as a word in either language, or as the code
    itself; other text is returned as it is (the caller refuses it, naming it)."""
    folded = _folded(text)
    for language in ("ja", "en"):
        for code, name in words[language].items():
            if folded in (_folded(name), code):
                return code
    return text
