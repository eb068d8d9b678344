"""render_markdown and sanitize_html: a table of cases, then a property test against XSS."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from methodbook.render import ALLOWED_TAGS, LINK_REL, render_markdown, sanitize_html

REL = f'rel="{LINK_REL}"'

# (case id, Markdown source, text that must not appear in the output)
REMOVED = [
    ("script-tag", "<script>alert(1)</script>hej", "<script"),
    ("onclick", '<p onclick="steal()">hej</p>', "onclick"),
    ("onerror", '<img src="/static/x.png" onerror="alert(1)">', "onerror"),
    ("onmouseover-on-link", '<a href="https://ok.example" onmouseover="x()">k</a>', "onmouseover"),
    ("javascript-link", "[a](javascript:alert(1))", "javascript"),
    ("javascript-mixed-case", '<a href="JaVaScRiPt:alert(1)">x</a>', "href"),
    ("javascript-entity", '<a href="&#106;avascript:alert(1)">x</a>', "href"),
    ("javascript-tab", '<a href="java&#x09;script:alert(1)">x</a>', "href"),
    ("javascript-reference-link", "[x]: javascript:alert(1)\n\n[y][x]", "href"),
    ("vbscript-link", "[a](vbscript:msgbox(1))", "vbscript"),
    ("data-link", "[a](data:text/html;base64,PHNjcmlwdD4=)", "data:"),
    ("data-image", '<img src="data:image/png;base64,AAAA">', "src="),
    ("iframe", "<iframe src='https://evil.example'></iframe>efter", "<iframe"),
    ("style-tag", "<style>body{display:none}</style>text", "<style"),
    ("object", "<object data='x.swf'></object>o", "<object"),
    ("svg-onload", "<svg onload=alert(1)>", "<svg"),
    ("http-image", "![i](http://evil.example/x.png)", "src="),
    ("https-image", "![i](https://evil.example/x.png)", "src="),
    ("protocol-relative-image", '<img src="//evil.example/x.png">', "src="),
    ("backslash-image", '<img src="\\\\evil.example\\x.png">', "src="),
    ("arbitrary-code-class", '<code class="evil">x</code>', "class="),
    ("paragraph-class-id-style", "<p class='x' id='y' style='color:red'>z</p>", "="),
    ("html-comment", "<!-- hemligt -->x", "hemligt"),
]

# (case id, Markdown source, text that must appear in the output)
KEPT = [
    ("link-rel", "[Dela](https://example.org)", f'<a href="https://example.org" {REL}>Dela</a>'),
    ("raw-link-rel", '<a href="/metoder">x</a>', f'<a href="/metoder" {REL}>x</a>'),
    ("mailto", "<a href='mailto:a@example.org'>m</a>", f'<a href="mailto:a@example.org" {REL}>m</a>'),
    (
        "bare-url",
        "Se https://example.org/metod nu",
        f'<a href="https://example.org/metod" {REL}>https://example.org/metod</a>',
    ),
    ("bare-www", "www.example.org", f'<a href="http://www.example.org" {REL}>www.example.org</a>'),
    ("url-in-code-not-linked", "`https://example.org`", "<code>https://example.org</code>"),
    ("local-image", "![karta](/static/x.png)", '<img alt="karta" src="/static/x.png">'),
    ("table", "| Steg | Tid |\n|---|---|\n| Fika | 10 |", "<th>Steg</th>"),
    ("table-cell", "| Steg | Tid |\n|---|---|\n| Fika | 10 |", "<td>Fika</td>"),
    ("fenced-code", "```python\nprint(1)\n```", '<pre><code class="language-python">print(1)\n</code></pre>'),
    ("language-class-html", '<code class="language-python">x</code>', '<code class="language-python">x</code>'),
    ("headings", "# Titel\n\n## Steg", "<h1>Titel</h1>\n<h2>Steg</h2>"),
    ("bullet-list", "- a\n- b", "<ul>\n<li>a</li>\n<li>b</li>\n</ul>"),
    ("ordered-list", "1. a\n2. b", "<ol>\n<li>a</li>\n<li>b</li>\n</ol>"),
    ("emphasis", "**fet** och *kursiv*", "<strong>fet</strong> och <em>kursiv</em>"),
    ("details", "<details><summary>s</summary>b</details>", "<details><summary>s</summary>b</details>"),
]


@pytest.mark.parametrize(("source", "forbidden"), [c[1:] for c in REMOVED], ids=[c[0] for c in REMOVED])
def test_render_removes(source, forbidden):
    assert forbidden not in render_markdown(source)


@pytest.mark.parametrize(("source", "expected"), [c[1:] for c in KEPT], ids=[c[0] for c in KEPT])
def test_render_keeps(source, expected):
    assert expected in render_markdown(source)


def test_render_keeps_text_of_stripped_tags():
    assert render_markdown("<iframe src='https://evil.example'></iframe>efter").strip() == "<p>efter</p>"


def test_render_of_none_is_empty():
    assert render_markdown(None) == ""


def test_sanitize_replaces_rel_and_drops_target():
    html = sanitize_html('<a href="https://x.example" rel="opener" target="_blank">x</a>')
    assert html == f'<a href="https://x.example" {REL}>x</a>'


class _TagCollector(HTMLParser):
    """Collect (tag, attrs) of every start tag; attribute values arrive unescaped."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))


_TAB_NEWLINE = re.compile(r"[\t\n\r]")


def _url_scheme_is_dangerous(value: str) -> bool:
    """Normalise a URL as a browser does (strip C0 controls and spaces, drop tabs and newlines)."""
    url = _TAB_NEWLINE.sub("", value).strip("".join(chr(c) for c in range(0x21)) + "\x7f").lower()
    return url.startswith(("javascript:", "vbscript:", "data:"))


FRAGMENTS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<<script>script>",
    "<scr<script>ipt>",
    "<img src=x onerror=alert(1)>",
    '<img src="jav&#x09;ascript:alert(1)">',
    "![x](javascript:alert(1))",
    "[a](javascript:alert(1))",
    "[a]( javascript:alert(1) )",
    "[a](<javascript:alert(1)>)",
    "[r]: vbscript:msgbox(1)\n\n[z][r]",
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href="&#106;avascript:alert(1)">x</a>',
    '<a href="&#x6A;avascript:alert(1)">x</a>',
    '<a href="\x01javascript:alert(1)">x</a>',
    '<a href="java\nscript:alert(1)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD4=">d</a>',
    "<svg onload=alert(1)>",
    "<svg><a xlink:href='javascript:alert(1)'>s</a></svg>",
    '<math><mi xlink:href="javascript:alert(1)">m</mi></math>',
    "<body onload=alert(1)>",
    "<iframe src=javascript:alert(1)>",
    "<style>@import 'x'</style>",
    "<a href='https://ok.example' onclick='x()'>ok</a>",
    "https://example.org",
    "`code`",
    "```\n<script>\n```",
    "\n\n",
    "# ",
    "- ",
    '"',
    "'",
    "<",
    ">",
    "&",
    "=",
]
_PIECES = st.one_of(
    st.sampled_from(FRAGMENTS),
    st.text(max_size=12),
    st.text(alphabet="<>\"'=:/&#;\\ \nabcdijlnoprstv()x", max_size=16),
)


@settings(max_examples=200, deadline=None, database=None)
@given(st.lists(_PIECES, max_size=8).map("".join))
def test_render_never_emits_script_handlers_or_dangerous_urls(source):
    html = render_markdown(source)
    assert "<script" not in html.lower()
    parser = _TagCollector()
    parser.feed(html)
    parser.close()
    for tag, attrs in parser.tags:
        assert tag in ALLOWED_TAGS, html
        for name, value in attrs:
            assert not name.lower().startswith("on"), html
            if name in ("href", "src") and value is not None:
                assert not _url_scheme_is_dangerous(value), html


def test_shift_headings_nests_a_body_under_another_heading():
    from methodbook.render import render_markdown, shift_headings

    html = render_markdown("# Titel\n\n## Steg\n\ntext\n\n###### Djupast")
    shifted = shift_headings(html, 1)
    assert "<h2>Titel</h2>" in shifted and "<h3>Steg</h3>" in shifted and "<h6>Djupast</h6>" in shifted
    assert "<h1" not in shifted and shifted.count("</h3>") == 1
