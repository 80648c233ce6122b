"""HTML → clean text that keeps the structure a reader (and the skill extractor) relies on.

Headings and list items become lines of their own, so that "Requirements" and each bullet under it stay
separate sentences for the extractor; a heading sits directly above its content (no blank line: the extractor
lets a heading govern the lines under it up to the next blank line); paragraphs are separated by a blank
line; scripts, styles and markup go.
Job boards often ship HTML escaped once more (Greenhouse's `content`), which is unescaped first.
"""

from __future__ import annotations

import html
import re

from selectolax.lexbor import LexborHTMLParser

_SKIP = frozenset({"script", "style", "noscript", "template", "head", "svg", "iframe", "object", "-comment"})
_BLOCK = frozenset(
    {
        "address",
        "article",
        "aside",
        "blockquote",
        "dd",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "header",
        "hr",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "table",
        "tbody",
        "thead",
        "tfoot",
        "tr",
        "ul",
        "body",
        "html",
    }
)
_PARAGRAPH = frozenset({"p", "blockquote", "pre", "table", "ul", "ol", "dl"})
_HEADING = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_CELL = frozenset({"td", "th"})
_SPACES = re.compile(r"[ \t\r\f\v\u00a0\u200b]+")
_MANY_BLANKS = re.compile(r"\n{3,}")
_TAG_HINT = re.compile(r"<\s*/?\s*[a-zA-Z][^>]*>")


def looks_like_html(text: str) -> bool:
    """True when the text carries markup (raw or escaped once)."""
    return bool(_TAG_HINT.search(text)) or bool(_TAG_HINT.search(html.unescape(text[:5000])))


def _unescape_if_double(markup: str) -> str:
    if "<" not in markup and "&lt;" in markup:
        return html.unescape(markup)
    return markup


class _Writer:
    def __init__(self) -> None:
        self.lines: list[str] = []
        self.current: list[str] = []
        self.heading_at = -1  # index of the last heading line

    def text(self, value: str) -> None:
        self.current.append(value)

    def end_line(self) -> None:
        line = _SPACES.sub(" ", "".join(self.current)).strip()
        self.current = []
        if line:
            self.lines.append(line)

    def blank(self) -> None:
        self.end_line()
        # No blank line right under a heading: it governs the lines below it up to the next blank line
        # (that is how the extractor reads "Requirements" or "Nice to have" for the bullets under it).
        if self.lines and self.lines[-1] != "" and self.heading_at != len(self.lines) - 1:
            self.lines.append("")

    def heading(self) -> None:
        self.end_line()
        self.heading_at = len(self.lines) - 1

    def result(self) -> str:
        self.end_line()
        return _MANY_BLANKS.sub("\n\n", "\n".join(self.lines)).strip()


def _walk(node, out: _Writer) -> None:  # noqa: ANN001 - a selectolax node
    child = node.child
    while child is not None:
        tag = child.tag
        if tag == "-text":
            out.text((child.text_content or "").replace("\n", " "))
        elif tag in _SKIP:
            pass
        elif tag == "br":
            out.end_line()
        elif tag == "li":
            out.end_line()
            out.text("- ")
            _walk(child, out)
            out.end_line()
        elif tag in _HEADING:
            out.blank()
            _walk(child, out)
            out.heading()
        elif tag in _CELL:
            _walk(child, out)
            out.text(" ")
        elif tag in _BLOCK:
            if tag in _PARAGRAPH:
                out.blank()
            else:
                out.end_line()
            _walk(child, out)
            if tag in _PARAGRAPH:
                out.blank()
            else:
                out.end_line()
        else:
            _walk(child, out)
        child = child.next


def html_to_text(markup: str) -> str:
    """Clean text of an HTML fragment or page: one line per heading, list item and block; no markup."""
    if not markup or not markup.strip():
        return ""
    tree = LexborHTMLParser(_unescape_if_double(markup))
    root = tree.body or tree.root
    if root is None:
        return ""
    out = _Writer()
    _walk(root, out)
    return out.result()


def clean_plain_text(text: str) -> str:
    """Plain text with whitespace tidied: spaces collapsed within lines, at most one blank line in a row."""
    lines = [
        _SPACES.sub(" ", line).strip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    ]
    return _MANY_BLANKS.sub("\n\n", "\n".join(lines)).strip()
