"""Why a clause got its result, as a key and parameters, rendered in the reader's language.

The checker stores ``reason_key`` and ``reason_params`` with each result; ``render`` writes
them in Japanese or English (the UI passes the user's language). Parameters are plain
values: a location (``第8条第2項``, ``Section 12.3``), a score, the heading, the clause's
essential element, the patterns that matched.
"""

TEXTS = {
    "found": {
        "en": "Found at {location}: the sentence reads as this clause (score {score}){heading}{patterns}, "
              "and it is {owner}'s obligation.",
        "ja": "{location}で見つかりました。この文は本条項に当たると判定しました（スコア{score}）{heading}{patterns}。"
              "{owner}の義務として書かれています。",
    },
    "found_without_essential": {
        "en": "Found at {location}: the sentence reads as this clause (score {score}){heading}{patterns}, "
              "and it is {owner}'s obligation; but no {essential} is written in that article — check that it is "
              "agreed elsewhere.",
        "ja": "{location}で見つかりました（スコア{score}）{heading}{patterns}。{owner}の義務として書かれています。"
              "ただし、その条に{essential}の定めが見当たりません。他の箇所で合意されているか確認してください。",
    },
    "weak": {
        "en": "Only weak evidence at {location} (score {score}){heading}; check the wording.",
        "ja": "{location}に弱い手掛かりしかありません（スコア{score}）{heading}。文言を確認してください。",
    },
    "direction": {
        "en": "The closest sentence ({location}) is an obligation of the customer towards the provider, "
              "not the provider's; check whether the provider owes it too.",
        "ja": "最も近い文（{location}）は委託者側（利用者）から提供者への義務であり、提供者の義務ではありません。"
              "提供者にも同じ義務があるか確認してください。",
    },
    "negative": {
        "en": "Wording that excludes or weakens the obligation at {location}: “{phrase}”.",
        "ja": "{location}に義務を除外又は弱める文言があります:「{phrase}」。",
    },
    "referenced": {
        "en": "The clause at {location} only refers to another document (“{reference}”); upload that document "
              "to the arrangement's contract set.",
        "ja": "{location}は別の文書を参照しているだけです（「{reference}」）。その文書を契約書一式に追加してください。",
    },
    # No longer produced (found_without_essential replaced it); kept so that results stored by
    # earlier versions still read as they did.
    "essential_missing": {
        "en": "The clause is present at {location} (score {score}) but no {essential} was found in it.",
        "ja": "{location}に条項はありますが（スコア{score}）、{essential}が見当たりません。",
    },
    "not_found": {
        "en": "No sentence of the contract reads as this clause (best score {score}).",
        "ja": "本条項に当たる文は契約書中に見当たりません（最高スコア{score}）。",
    },
    "scanned": {
        "en": "The PDF is a scan without a text layer; read it and record the result.",
        "ja": "PDFはテキストのないスキャン画像です。目視で確認し、結果を記録してください。",
    },
    "unreadable_text": {
        "en": "The text read from the PDF is neither Japanese nor English (its fonts probably carry no character "
              "map); read the document and record the result.",
        "ja": "PDFから読み取った文字が日本語にも英語にもなっていません（フォントに文字の対応表がないと考えられます）。"
              "文書を目視で確認し、結果を記録してください。",
    },
    "partly_scanned": {
        "en": "Not found in the text of the PDF, but pages {pages} are scanned images that were not read; check "
              "them and record the result.",
        "ja": "PDFのテキストには見当たりませんが、{pages}ページはスキャン画像で読み取れていません。目視で確認し、結果を記録して"
              "ください。",
    },
    "partly_unreadable": {
        "en": "Not found in the text of the PDF, but the text of pages {pages} is neither Japanese nor English (a "
              "font without a character map) and was not read; check them and record the result.",
        "ja": "PDFのテキストには見当たりませんが、{pages}ページの文字は日本語にも英語にもなっておらず（フォントに文字の対応表が"
              "ないと考えられます）、読み取れていません。目視で確認し、結果を記録してください。",
    },
    "ocr_poor": {
        "en": "Not found in the text read by OCR, but pages {pages} of the scan were read with low confidence (down "
              "to {confidence} %), and a misread word may hide the clause; check the scan and record the result.",
        "ja": "OCRで読み取った文面には見当たりませんが、スキャンの{pages}ページは読み取りの信頼度が低く（最低{confidence}%）、"
              "誤読された語に条項が隠れている可能性があります。スキャン画像を目視で確認し、結果を記録してください。",
    },
    "no_model": {
        "en": "The clause scorer's model file is missing, so the contract was not checked automatically; read it "
              "and record the result.",
        "ja": "条項判定モデルのファイルがないため、自動判定していません。契約書を読んで結果を記録してください。",
    },
    "not_trained": {
        "en": "The clause scorer has not been trained for this clause (it was added to the library after the "
              "model), so it was not checked automatically; read the contract and record the result.",
        "ja": "条項判定モデルがこの条項を学習していないため（モデルの作成後に条項ライブラリへ追加された条項）、自動判定していません。"
              "契約書を読んで結果を記録してください。",
    },
    "no_sentences": {
        "en": "No sentence could be read from the document's text, so it was not checked automatically; read it "
              "and record the result.",
        "ja": "文書のテキストから文を読み取れなかったため、自動判定していません。文書を読んで結果を記録してください。",
    },
}
# said after the reason of a result whose evidence was read by OCR from a scanned page
OCR = {"en": " The text was read by OCR from a scanned page: check the evidence against the scan.",
       "ja": "本文はスキャン画像からOCRで読み取ったものです。根拠の文をスキャン画像と照合してください。"}
OCR_CAPPED = {"en": " Text read by OCR is not reported as found without a review.",
              "ja": "OCRで読み取った文は、確認するまで「あり」とはしません。"}
HEADING = {"en": " under the heading “{}”", "ja": "（見出し「{}」）"}
PATTERNS = {"en": ", with the library's phrase “{}”", "ja": "、条項ライブラリの語句「{}」あり"}
OWNER = {"en": {"Ⓟ": "the provider", "Ⓒ": "the customer", "Ⓔ": "each party", "": "no named party"},
         "ja": {"Ⓟ": "提供者（受託者）", "Ⓒ": "委託者", "Ⓔ": "各当事者", "": "当事者不明"}}


def render(key: str, params: dict | None, lang: str = "en") -> str:
    """The reason ``key`` with ``params`` in ``lang`` (``ja`` or ``en``; English otherwise)."""
    lang = "ja" if lang == "ja" else "en"
    params = dict(params or {})
    texts = TEXTS.get(key)
    if texts is None:
        return str(params.get("text", key))
    heading = params.get("heading") or ""
    params["heading"] = HEADING[lang].format(heading[:60]) if heading else ""
    phrase = params.get("pattern") or ""
    params["patterns"] = PATTERNS[lang].format(phrase[:60]) if phrase else ""
    params["owner"] = OWNER[lang].get(params.get("owner", ""), OWNER[lang][""])
    essential = params.get("essential") or {}
    params["essential"] = essential.get(lang) or essential.get("en", "essential element") \
        if isinstance(essential, dict) else essential
    params.setdefault("score", "")
    params.setdefault("location", "")
    suffix = (OCR[lang] if params.get("ocr") else "") + (OCR_CAPPED[lang] if params.get("ocr_capped") else "")
    try:
        return texts[lang].format(**params) + suffix
    except (KeyError, IndexError, ValueError):
        return texts["en"] + suffix
