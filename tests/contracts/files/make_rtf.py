"""Regenerate the RTF fixtures: our own two contracts written as .docx (python-docx, automatic
numbering for the articles and the numbered list), then saved as .rtf by LibreOffice
(``soffice --headless --convert-to rtf``), as a vendor's "Save as RTF" gives them; beside each,
its text twin (.md), the same contract typed as lines, a table as Markdown rows.

    PYTHONPATH=$PWD .venv/bin/python tests/contracts/files/make_rtf.py

LibreOffice is needed only here, never at run time or in CI."""
import io
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import docx
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls

HERE = Path(__file__).resolve().parent

OUTSOURCING_AGREEMENT = """Outsourcing Agreement
This Outsourcing Agreement is made between Example Exchange K.K. (the "Customer") and Ledger Services Ltd. (the "Provider").
#Services
The Provider shall operate the wallet platform for the Customer as described in Schedule 1.
#Service Levels
The Provider shall meet the service levels in the table below and report on them monthly.
|Service|Availability|Response time|
|Wallet API|99.95%|200 ms|
|Custody backup|99.9%|1 hour|
#Audit
The Customer and its auditors may audit the Provider's facilities, systems and records on reasonable notice, and the Provider shall cooperate with any such audit.
#Subcontracting
The Provider shall not subcontract any part of the Services without the prior written consent of the Customer.
#Data Location
The Provider shall store and process Customer data only in data centres located in Japan.
#Security
The Provider shall comply with the security requirements in Schedule 2 and notify the Customer of any security incident within 24 hours.
#Termination
On termination, the Provider shall return all Customer data and then delete it securely, and shall assist the Customer in the transition to a new provider.
"""

GYOMU_ITAKU = """業務委託契約書
株式会社サンプル取引所（以下「甲」という。）と株式会社クラウド基盤（以下「乙」という。）は、次のとおり業務委託契約を締結する。
#目的
甲は、乙に対し、暗号資産管理システムの運用業務を委託し、乙はこれを受託する。
#サービス水準
乙は、次の表に定めるサービス水準を維持し、毎月甲に報告する。
|項目|水準|
|月間稼働率|99.9%以上|
|障害時の初動|30分以内|
#監査
甲又は甲が指定する監査人は、乙の事業所及びデータセンターに立ち入り、本業務の実施状況を監査することができる。乙はこれに協力する。
#再委託
乙は、甲の事前の書面による承諾を得なければ、本業務の全部又は一部を第三者に再委託してはならない。
#データの保管場所
乙は、甲のデータを日本国内のデータセンターにのみ保管する。
#契約終了時の措置
1.乙は、本契約が終了した場合、甲のデータを甲に返還し、その後、復元できない方法で消去する。
1.乙は、甲が他の事業者へ移行するために必要な協力を行う。
"""

FIXTURES = {"outsourcing_agreement": (OUTSOURCING_AGREEMENT, "Article %1", "Confidential"),
            "gyomu_itaku": (GYOMU_ITAKU, "第%1条", "秘")}


def _numbering(document, num_id: int, lvl_text: str) -> str:
    numbering = document.part.numbering_part.element
    numbering.insert(0, parse_xml(
        f'<w:abstractNum {nsdecls("w")} w:abstractNumId="{num_id}"><w:multiLevelType w:val="singleLevel"/>'
        f'<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="{lvl_text}"/>'
        f'<w:lvlJc w:val="left"/></w:lvl></w:abstractNum>'))
    numbering.append(parse_xml(f'<w:num {nsdecls("w")} w:numId="{num_id}"><w:abstractNumId w:val="{num_id}"/>'
                               f'</w:num>'))
    return str(num_id)


def _number(paragraph, num_id: str) -> None:
    paragraph._p.get_or_add_pPr().append(parse_xml(
        f'<w:numPr {nsdecls("w")}><w:ilvl w:val="0"/><w:numId w:val="{num_id}"/></w:numPr>'))


def contract_docx(source: str, article: str, footer: str) -> tuple[bytes, str]:
    """A Word file of ``source`` (``#`` an automatically numbered article, ``1.`` an item of a numbered
    list, ``|`` a table row) and its text twin."""
    document = docx.Document()
    articles, items = _numbering(document, 91, article), _numbering(document, 92, "%1.")
    lines, rows, count, item = [], [], 0, 0
    for line in source.splitlines() + [""]:
        if rows and not line.startswith("|"):
            table = document.add_table(rows=len(rows), cols=len(rows[0]))
            for r, cells in enumerate(rows):
                for c, value in enumerate(cells):
                    table.cell(r, c).text = value
            rows = []
        if line.startswith("|"):
            rows.append(line.strip("|").split("|"))
            lines.append("| " + " | ".join(rows[-1]) + " |")
        elif line.startswith("#"):
            count += 1
            _number(document.add_paragraph(line[1:]), articles)
            lines.append(f"{article.replace('%1', str(count))} {line[1:]}")
        elif line.startswith("1."):
            item += 1
            _number(document.add_paragraph(line[2:]), items)
            lines.append(f"{item}. {line[2:]}")
        elif line:
            document.add_paragraph(line)
            lines.append(line)
    section = document.sections[0]
    section.header.paragraphs[0].text = source.splitlines()[0]
    section.footer.paragraphs[0].text = footer
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue(), "\n".join(lines) + "\n"


def main() -> int:
    """Write each fixture's .docx, .txt and (with LibreOffice) .rtf beside this script."""
    soffice = shutil.which("soffice")
    for name, (source, article, footer) in FIXTURES.items():
        data, twin = contract_docx(source, article, footer)
        (HERE / f"{name}.docx").write_bytes(data)
        (HERE / f"{name}_twin.md").write_text(twin, encoding="utf-8")
        if soffice is None:
            print("soffice not found: the .rtf files are left as they are", file=sys.stderr)
            continue
        with tempfile.TemporaryDirectory() as tmp:
            subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmp}/profile", "--convert-to",
                            "rtf", "--outdir", tmp, str(HERE / f"{name}.docx")], check=True, capture_output=True)
            shutil.copy(Path(tmp) / f"{name}.rtf", HERE / f"{name}.rtf")
    return 0


if __name__ == "__main__":
    sys.exit(main())
