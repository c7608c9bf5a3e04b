"""Bytes to text: trust the bytes over what the file claims.

Pages declare ISO-8859-1 and send UTF-8 (kapanlagi); scraped text mixes a
few Windows-1252 bytes (curly quotes, é) into UTF-8. So UTF-8 is tried first
and, where a byte is not valid UTF-8, that byte alone is read as Windows-1252
(Latin-1 for the five bytes cp1252 leaves undefined). A pure cp1252 or
Latin-1 file comes out right the same way.
"""
from __future__ import annotations

import codecs

# Declared charsets that are just "one byte per character, Western": the
# per-byte fallback already reads them, and UTF-8 bytes must win over them.
_WESTERN = {"iso-8859-1", "iso8859-1", "latin-1", "latin1", "l1", "cp1252", "windows-1252",
            "us-ascii", "ascii", "iso-8859-15", "latin-9"}
_FALLBACK = "cari-cp1252-bytes"


def _byte_fallback(error: UnicodeDecodeError):
    bad = error.object[error.start:error.end]
    text = "".join(_one_byte(b) for b in bad)
    return text, error.end


def _one_byte(value: int) -> str:
    try:
        return bytes([value]).decode("cp1252")
    except UnicodeDecodeError:
        return bytes([value]).decode("latin-1")


codecs.register_error(_FALLBACK, _byte_fallback)


def decode(data: bytes, declared: str | None = None) -> tuple[str, str]:
    """Return (text, how it was decoded). Never raises.

    Order: a BOM wins; then strict UTF-8; then a declared charset that is not
    a Western single-byte one (those lose to the bytes); then UTF-8 with a
    per-byte Windows-1252 fallback.
    """
    for bom, name in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                      (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            try:
                return data.decode(name), name
            except UnicodeDecodeError:
                break
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    if declared and declared.strip().lower() not in _WESTERN:
        try:
            return data.decode(declared.strip()), declared.strip().lower()
        except (UnicodeDecodeError, LookupError):
            pass
    return data.decode("utf-8", errors=_FALLBACK), "utf-8 with cp1252 bytes"


def normalise_newlines(text: str) -> str:
    """CRLF and lone CR become LF; NUL bytes are dropped."""
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
