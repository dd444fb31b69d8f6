"""A contract in which no article is recognised (``structure.parse`` finds none): read
paragraph by paragraph, each block a passage located by its number (``¶12``), the page it
starts on kept."""
import re
from dataclasses import replace

from vendorrisk.contracts.checker.document import CJK, Passage, Section, Structure, run_on
from vendorrisk.contracts.checker.text import Block

SENTENCE_END = re.compile(r"[。．.!?！？:：」』)）]$")


def _unwrapped(blocks: list[Block]) -> list[Block]:
    """Lines of Japanese text wrapped inside a sentence (PDF text pasted as .txt) joined:
    a body line that does not end a sentence runs on into the next when both sides of the
    break are Japanese and the next line opens no numbered item or bullet."""
    out: list[Block] = []
    for block in blocks:
        prev = out[-1] if out else None
        if prev is not None and prev.part == block.part == "body" and not SENTENCE_END.search(prev.text) \
                and CJK.search(prev.text[-1:]) and CJK.search(block.text[:1]):
            text = prev.text + block.text
            out[-1] = replace(prev, text=text, turns=run_on(prev.page, prev.turns, text, block.text, block.page,
                                                             block.turns))
        else:
            out.append(block)
    return out


def unstructured(blocks: list[Block]) -> Structure:
    """No recognisable articles: every block is a passage of its own, located by its number
    (Japanese lines wrapped inside a sentence joined first)."""
    blocks = _unwrapped(blocks)
    sections = [Section(None, passages=[Passage(block.text, i, paragraph=block.note or 1, part=block.part,
                                                page=block.page, turns=block.turns)]) for i, block in enumerate(blocks)]
    return Structure(sections, detected=False, style="none")
