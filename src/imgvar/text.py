"""Text that is safe to print, hash and store.

Command-line arguments and file names that are not valid UTF-8 reach Python as
strings holding lone surrogates ('\\udcff'); they cannot be written to a UTF-8
stream or file. Every user-supplied string that is shown or stored goes
through `clean` first.
"""

from __future__ import annotations

import re

_SURROGATE_RE = re.compile("[\ud800-\udfff]")


def clean(text: str) -> str:
    """`text` with lone surrogates made real: surrogate-escaped bytes decoded, the rest U+FFFD."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        pass
    try:
        # Surrogate-escaped bytes (from argv or the file system): decode them for real.
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    except UnicodeEncodeError:  # a surrogate that stands for no byte
        return _SURROGATE_RE.sub("\ufffd", text)
