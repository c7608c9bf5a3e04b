"""HTTP security headers for every response of the app.

The pages load only their own CSS, JS and icons: no inline script, no CDN, so
a strict Content-Security-Policy costs nothing and stops an injected script
even if escaping ever failed. Referrers to news sites carry only our origin,
never the query someone searched for.
"""
from __future__ import annotations

import re

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])

HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
}


def add_security_headers(response):
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    return response


# -- text from the corpus is data ---------------------------------------------------------
# Bidirectional controls let a title or source name reorder what follows it on
# screen ("evil\u202ecod.exe"): they are dropped from everything the pages display.
BIDI_CONTROLS = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_NO_BIDI = {ord(c): None for c in BIDI_CONTROLS}

# Only these URLs become links; anything else (javascript:, data:, vbscript:,
# relative paths, URLs with spaces or control characters) is shown as text.
_WEB_URL = re.compile(r"https?://[^\s/?#\\\x00-\x1f\x7f" + BIDI_CONTROLS + r"]+"
                      r"(?:[/?#][^\s\x00-\x1f\x7f" + BIDI_CONTROLS + r"]*)?", re.IGNORECASE)


def strip_bidi(value):
    """``value`` without bidi controls; Markup stays Markup, non-strings pass."""
    if isinstance(value, str):
        return value.translate(_NO_BIDI)
    return value


def is_web_url(url) -> bool:
    """True only for an absolute http(s) URL with a host: what may be an href."""
    return isinstance(url, str) and bool(_WEB_URL.fullmatch(url))


def install_text_filters(app) -> None:
    """Every ``{{ expression }}`` a template prints loses its bidi controls
    (Jinja's ``finalize`` runs before autoescaping), so no title, source,
    category, author, snippet or echoed query can reorder the page; the
    ``web_url`` test says which article URLs may become links."""
    app.jinja_env.finalize = strip_bidi
    app.jinja_env.tests["web_url"] = is_web_url


# -- the public address of this app ---------------------------------------------------------
# The Host header is whatever the client sent. It is trusted only when it
# names this machine's loopback (127.0.0.0/8, ::1, localhost): such a link can
# only lead back to the local machine, which is what `make run` serves. Being
# *bound* to loopback proves nothing, since a reverse proxy on the same host
# forwards the Internet's Host headers to 127.0.0.1. Anywhere else, links that
# must be absolute (opensearch.xml) come from CARI_BASE_URL (checked by
# search/settings.py when the app is made), or are not offered.
_LOOPBACK_HOST = re.compile(r"(?:localhost|127(?:\.[0-9]{1,3}){3}|\[::1\])(?::[0-9]{1,5})?", re.IGNORECASE)


def trusted_base_url(configured: str, request) -> str | None:
    """Where absolute links should point: CARI_BASE_URL, else this request's
    own host when it is loopback, else None (no trusted public address)."""
    if configured:
        return configured
    host = request.headers.get("Host", "")
    if _LOOPBACK_HOST.fullmatch(host):
        return f"{request.scheme}://{host}"
    return None
