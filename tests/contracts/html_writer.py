"""Contracts written as the HTML they come in (shared by the tests and
``bench/contracts_html_parity.py``).

``contract_html(text, language, style)`` writes one paragraph a line of the text, in one of two styles:

- ``edgar``: an SEC EDGAR exhibit as filing agents write it: the SGML envelope
  (``<DOCUMENT><TYPE>EX-10.1 ... <TEXT>``), ``<P>`` and ``<FONT>``, article headings centred in
  ``<B>``, numbered paragraphs as layout tables (the number in a cell of its own, a spacer cell,
  the text), the source wrapped at about 100 characters (inside Japanese words too), a word now
  and then split by a ``<FONT>`` tag, and ``- N -`` with a page break every 25 paragraphs (``per_page``); with
  ``head`` (lines: the company's name, "Confidential"), that running head atop every page after
  the first, and a long paragraph (``LONG``) at a page break cut in two by it, as a word processor prints it;
- ``webpage``: a page of terms saved from a browser: a cookie banner, the site's header with its
  navigation, a breadcrumb, article headings in ``<h2>`` (``第<span>3</span>条``), runs of
  paragraphs numbered ``1``, ``2``, ``3``... as ``<ol>`` items (the number drawn by the browser,
  not in the text), an aside, a search form and the footer; a Japanese page in Shift_JIS.
"""
import html
import random
import re

STYLES = ("edgar", "webpage")
HEADING = re.compile(r"第[0-9一二三四五六七八九十]{1,4}条|ARTICLE\s+[0-9IVX]+|Article\s+[0-9]+"
                     r"|[0-9]{1,2}\.?\s+[A-Z][A-Z ,&-]{3,}$")
NUMBERED = re.compile(r"(\(?[0-9]{1,2}(?:\.[0-9]{1,2})*\.?\)?|\([a-z]{1,4}\)|[a-h]\))\s+(?=\S)")
LONG = 60  # a paragraph at least this long is cut in two by a page break (a shorter one fits the page)
LIST_ITEM = re.compile(r"([0-9]{1,2})\.?\s+(?=\S)")


def _wrapped(line: str, width: int = 100) -> str:
    """The line as a filing agent's source holds it: broken at about ``width`` characters."""
    out, rest = [], line
    while len(rest) > width:
        cut = rest.rfind(" ", 0, width)
        cut = cut if cut > width // 2 else width
        out.append(rest[:cut])
        rest = rest[cut:].lstrip(" ") if rest[cut:cut + 1] == " " else rest[cut:]
    return "\n".join(out + [rest])


def _split_word(escaped: str, rng: random.Random) -> str:
    """A word split by a ``<FONT>`` tag, as a change of font inside a word writes it."""
    words = [m for m in re.finditer(r"[A-Za-z]{6,}", escaped)]
    if not words or rng.random() > 0.3:
        return escaped
    word = rng.choice(words)
    middle = word.start() + 3
    return f'{escaped[:middle]}<FONT SIZE="2">{escaped[middle:word.end()]}</FONT>{escaped[word.end():]}'


def _edgar(lines: list[str], rng: random.Random, head: tuple[str, ...] = (), per_page: int = 25) -> str:
    body, page = [], 1
    for i, line in enumerate(lines):
        number = NUMBERED.match(line)
        breaks = (i + 1) % per_page == 0
        rest_of_line = ""
        if breaks and head and i and len(line) >= LONG and not HEADING.match(line):  # it runs on over the break
            # before a word in lower case (a Japanese line: inside a word)
            found = re.compile(r" (?=[a-z])").search(line, len(line) // 2) if " " in line else None
            at = found.start() if found else -1 if " " in line else len(line) // 2
            line, rest_of_line = (line[:at], line[at:].strip()) if at > 0 else (line, "")
        if HEADING.match(line) or i == 0:
            body.append(f'<P ALIGN="center"><FONT SIZE="2"><B>{_wrapped(html.escape(line))}</B></FONT></P>')
        elif number:
            rest = _split_word(_wrapped(html.escape(line[number.end():])), rng)
            body.append('<TABLE BORDER="0" CELLSPACING="0" CELLPADDING="0" WIDTH="100%">\n<TR VALIGN="top">'
                        f'<TD WIDTH="8%"><FONT SIZE="2">{html.escape(number.group(1))}</FONT></TD>'
                        f'<TD WIDTH="2%">&nbsp;</TD><TD><FONT SIZE="2">{rest}</FONT></TD></TR>\n</TABLE>')
        else:
            body.append(f'<P><FONT SIZE="2">{_split_word(_wrapped(html.escape(line)), rng)}</FONT></P>')
        if breaks:
            body.append(f'<P ALIGN="center"><FONT SIZE="2">- {page} -</FONT></P>\n'
                        '<HR SIZE="3" NOSHADE STYLE="page-break-after:always">')
            body += [f'<P ALIGN="center"><FONT SIZE="2"><B>{html.escape(h)}</B></FONT></P>' for h in head]
            page += 1
            if rest_of_line:
                body.append(f'<P><FONT SIZE="2">{html.escape(rest_of_line)}</FONT></P>')
    body.append(f'<P ALIGN="center"><FONT SIZE="2">- {page} -</FONT></P>')
    return ("<DOCUMENT>\n<TYPE>EX-10.1\n<SEQUENCE>2\n<FILENAME>dex101.htm\n<DESCRIPTION>AGREEMENT\n<TEXT>\n"
            '<HTML><HEAD><TITLE>EX-10.1</TITLE></HEAD>\n<BODY BGCOLOR="WHITE">\n' + "\n".join(body)
            + "\n</BODY></HTML>\n</TEXT>\n</DOCUMENT>\n")


def _webpage(lines: list[str], language: str) -> str:
    body, i = [], 0
    while i < len(lines):
        line = lines[i]
        run = []  # paragraphs numbered 1, 2, 3... one after the other: an <ol>
        while i + len(run) < len(lines) and (m := LIST_ITEM.match(lines[i + len(run)])) \
                and int(m.group(1)) == len(run) + 1:
            run.append(lines[i + len(run)][m.end():])
        if len(run) >= 2:
            body.append("<ol>\n" + "\n".join(f"  <li>{html.escape(item)}</li>" for item in run) + "\n</ol>")
            i += len(run)
            continue
        if i == 0:
            body.append(f"<h1>{html.escape(line)}</h1>")
        elif HEADING.match(line):
            escaped = re.sub(r"^第([0-9一二三四五六七八九十]{1,4})条", r"第<span>\1</span>条", html.escape(line))
            body.append(f"<h2>{escaped}</h2>")
        else:
            body.append(f"<p>{html.escape(line)}</p>")
        i += 1
    charset = "Shift_JIS" if language == "ja" else "utf-8"
    return (f'<!DOCTYPE html>\n<html lang="{language}">\n<head>\n<meta charset="{charset}">\n'
            "<title>Terms | Example</title>\n<style>body { font-family: sans-serif; }</style>\n"
            "<script>window.dataLayer = window.dataLayer || [];</script>\n</head>\n<body>\n"
            '<div id="cookie-banner">This site uses cookies. <button>Accept</button></div>\n'
            '<header><div class="logo">Example</div><nav><ul><li><a href="/">Home</a></li>'
            '<li><a href="/pricing">Pricing</a></li></ul></nav></header>\n'
            '<div class="breadcrumb"><a href="/">Home</a> &gt; Legal</div>\n<main>\n' + "\n".join(body)
            + '\n</main>\n<aside><h3>Related</h3><ul><li><a href="/privacy">Privacy</a></li></ul></aside>\n'
            '<form action="/search"><input name="q"><button>Search</button></form>\n'
            "<footer><p>Copyright Example</p></footer>\n</body>\n</html>\n")


def contract_html(text: str, language: str, style: str, seed: int = 0, head: tuple[str, ...] = (),
                  per_page: int = 25) -> bytes:
    """``text`` (one paragraph a line) as the bytes of an HTML contract in ``style`` (``head``: an
    exhibit's running head, ``per_page`` paragraphs a page; module docstring)."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if style == "edgar":
        return _edgar(lines, random.Random(seed), head, per_page).encode("utf-8")
    page = _webpage(lines, language)
    return page.encode("cp932", errors="xmlcharrefreplace") if language == "ja" else page.encode("utf-8")
