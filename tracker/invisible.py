"""Characters that show nothing but change what text means or how it is laid out.

Filing text reaches Slack and the terminal. Zero-width characters can hide a word from
a reader (or a rule: "com\u2060plete response letter"), bidirectional overrides
(U+202E) can make text display backwards, tag characters carry hidden text, and the
line and paragraph separators U+2028/2029 break lines where the reader sees none. They
are removed (the separators become line breaks) before text is classified, shown or
printed.
"""

from __future__ import annotations

import re

# Soft hyphen, combining grapheme joiner, Arabic letter mark, Hangul and Khmer fillers,
# Mongolian vowel separator and variation selectors, zero-width and direction marks,
# bidi embeddings, overrides and isolates, word joiner and invisible operators, the
# byte-order mark / zero-width no-break space, and the tag characters.
INVISIBLE_RE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
    "\u2060-\u206f\u3164\ufeff\uffa0\U000e0000-\U000e007f]"
)
SEPARATORS_RE = re.compile("[\u2028\u2029\x85]")


def strip_invisible(text: str, line_break: str = "\n") -> str:
    """`text` without invisible characters; line and paragraph separators become `line_break`."""
    return SEPARATORS_RE.sub(line_break, INVISIBLE_RE.sub("", text))
