"""WhatsApp's text formatting as the simulator shows it: *bold*, _italic_, ~strike~, ```monospace``` and `code`,
with web links made clickable.

Every piece of the client's or bot's text is HTML-escaped; the only markup in the result is the tags made here.
As in WhatsApp, a marker opens only where a word starts and closes only where one ends, never across a line,
and never with a space just inside it: "2*3*4", "snake_case" and "* not bold *" stay as typed.
"""
from __future__ import annotations

import re

from markupsafe import Markup, escape

_NOT_AFTER_ALNUM, _NOT_BEFORE_ALNUM = r"(?<![^\W_])", r"(?![^\W_])"  # [^\W_] is a letter or a digit, in any script
_TOKEN = re.compile(
    r"```(?P<block>.+?)```"
    r"|`(?P<code>[^`\n]+)`"
    r"|(?P<url>\bhttps?://[^\s<>]+)"
    rf"|{_NOT_AFTER_ALNUM}(?P<mark>[*_~])(?P<inner>(?=\S)[^\n]*?\S)(?P=mark){_NOT_BEFORE_ALNUM}",
    re.DOTALL | re.IGNORECASE,
)
_TAGS = {"*": "strong", "_": "em", "~": "s"}
_URL_TAIL = ".,;:!?)]}'\""  # sentence punctuation after a link is not part of it


def whatsapp_html(text: str) -> Markup:
    """`text` as HTML, escaped and formatted like a WhatsApp bubble."""
    return Markup("".join(_parts(text)))


def _parts(text: str) -> list[str]:
    out: list[str] = []
    pos = 0
    while (found := _TOKEN.search(text, pos)) is not None:
        out.append(escape(text[pos:found.start()]))
        end = found.end()
        if found["block"] is not None:
            body = found["block"].removeprefix("\n").removesuffix("\n")
            out.append(Markup("<pre>{}</pre>" if "\n" in body else "<code>{}</code>").format(body))
        elif found["code"] is not None:
            out.append(Markup("<code>{}</code>").format(found["code"]))
        elif found["url"] is not None:
            url = found["url"].rstrip(_URL_TAIL)
            end = found.start() + len(url)
            out.append(Markup('<a href="{0}" target="_blank" rel="noopener noreferrer">{0}</a>').format(url))
        else:
            tag = _TAGS[found["mark"]]
            out.append(Markup(f"<{tag}>{{}}</{tag}>").format(whatsapp_html(found["inner"])))
        pos = end
    out.append(escape(text[pos:]))
    return out
