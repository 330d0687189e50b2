"""What a person reads on a page: the text between tags, without scripts, styles, attributes or URLs."""

import re
from html.parser import HTMLParser

# An internal code (`apr_order_registered`, `technical_review`) leaking onto a page or into an e-mail.
SNAKE_CASE = re.compile(r"\b[a-z]+_[a-z_]+\b")

_SILENT = {"script", "style", "template"}


class _TextExtractor(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []
        self.silent = 0

    def handle_starttag(self, tag, attrs):
        if tag in _SILENT:
            self.silent += 1

    def handle_endtag(self, tag):
        if tag in _SILENT and self.silent:
            self.silent -= 1

    def handle_data(self, data):
        if not self.silent:
            self.parts.append(data)


def visible_text(html):
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    return " ".join(" ".join(parser.parts).split())


def internal_codes(html):
    """The snake_case words a reader would see, each with a little of the text around it."""
    text = visible_text(html)
    return [text[max(0, m.start() - 40) : m.end() + 40] for m in SNAKE_CASE.finditer(text)]
