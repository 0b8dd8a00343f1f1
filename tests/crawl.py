"""Walk the app as a person does: from the home page, following links only, one page per URL pattern.

`pages_of(client)` gives the pages a logged-in client reaches by clicking (the tests of Chinese text use it with the
Django test client; the browser tests use its list of URLs to open each page in Chromium). `visible_english(html)`
finds the English words a person would read on a page: text, button labels, placeholders, titles and alt texts.
"""
from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from django.urls import Resolver404, resolve

# Words a Chinese user reads in English every day, and the file formats and codes they know by that name.
ALLOWED_WORDS = {"excel", "pdf", "id", "xlsx", "svg", "png", "csv", "json", "totp", "qr", "ok", "wifi", "app", "url",
                 "ip", "gb", "cn", "js", "http", "https", "www", "ldap", "control", "command", "mac",
                 "microsoft", "authenticator", "freeotp"}  # the phone apps people install, by their names
# A word with a capital inside it (WXBGvd, fGlhzI) is a code or a piece of a hash, not English prose.
CODE = re.compile(r"^[A-Za-z][a-z]*[A-Z]")
# Pages that act rather than show (logging out), pages of another kind (the downloads), and admin pages of history
# whose content is the record itself.
SKIP_NAMES = {"logout", "admin:logout", "admin:jsi18n", "admin:view_on_site", "admin:autocomplete"}
SKIP_PATH = re.compile(r"^/(static|media)/|\.xlsx$|/xlsx/|/export|/download|/template/?$")


class _Page(HTMLParser):
    """Links and the visible text of one HTML page."""

    HIDDEN = {"script", "style", "template", "noscript"}
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
    TEXT_ATTRS = ("placeholder", "title", "alt", "aria-label")

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.text: list[str] = []
        self._hidden = 0
        self._no_translate: list[bool] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        no_translate = a.get("translate") == "no" or "data" in (a.get("class") or "").split()
        if tag not in self.VOID:
            self._no_translate.append(no_translate)
        if tag in self.HIDDEN:
            self._hidden += 1
        if any(self._no_translate) or no_translate:
            return
        for name in self.TEXT_ATTRS:
            if a.get(name):
                self.text.append(a[name])
        if tag == "input" and a.get("type") in ("submit", "button", "reset") and a.get("value"):
            self.text.append(a["value"])

    def handle_endtag(self, tag):
        if tag in self.VOID:
            return
        if self._no_translate:
            self._no_translate.pop()
        if tag in self.HIDDEN and self._hidden:
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden and not any(self._no_translate):
            self.text.append(data)


def parse(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    return page


WORD = re.compile(r"(?<![A-Za-z0-9_@./-])[A-Za-z][A-Za-z]+(?![A-Za-z0-9_@/])")


def visible_english(html: str, *, allowed: set[str] = frozenset()) -> set[str]:
    """English words on the page a person would read (outside elements marked translate="no")."""
    words = set()
    for chunk in parse(html).text:
        for w in WORD.findall(chunk):
            if w.lower() not in ALLOWED_WORDS and w not in allowed and not CODE.match(w):
                words.add(w)
    return words


def pattern_of(path: str) -> str | None:
    """The URL pattern a path belongs to ("village", "admin:groups_partygroup_change"), or None if none."""
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return match.view_name


def pages_of(client, start: str = "/", *, limit: int = 400, per_pattern: int = 1, skip: set[str] = frozenset()):
    """The pages `client` reaches by following links from `start`: {url: (pattern, response)}, at most `per_pattern`
    pages per URL pattern (the same template with other rows is the same page to read)."""
    seen_patterns: dict[str, int] = {}
    seen_urls: set[str] = set()
    queue = [start]
    pages: dict[str, tuple[str, object]] = {}
    while queue and len(pages) < limit:
        url = queue.pop(0)
        if url in seen_urls:
            continue
        seen_urls.add(url)
        response = client.get(url, follow=True)
        final = response.redirect_chain[-1][0] if response.redirect_chain else url
        final = urljoin(url, final)
        name = pattern_of(urlsplit(final).path) or final
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        if final != url and final in pages:
            continue
        pages[final] = (name, response)
        for href in parse(response.content.decode()).links:
            target = urljoin(final, href)
            parts = urlsplit(target)
            if parts.scheme or parts.netloc or not parts.path.startswith("/") or SKIP_PATH.search(parts.path):
                continue
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            target_name = pattern_of(parts.path)
            if target_name is None or target_name in SKIP_NAMES or target_name in skip:
                continue
            if target in seen_urls or seen_patterns.get(target_name, 0) >= per_pattern:
                continue
            seen_patterns[target_name] = seen_patterns.get(target_name, 0) + 1
            queue.append(target)
    return pages
