"""Where the sidebar's paths may break across lines, in a way that survives copying.

To CSS a path is one long word ('scenarios/whatif/no_moscow_agreement_turkey_stands_down.yaml'): at the sidebar's edge
it broke inside a word ('no_mos' / 'cow_agreement'). Invisible spaces after its '/' and '_' let it break there, but
they were copied with the text: a path pasted into a terminal named no file. Where the text can be HTML (the picker's
shown path, a greyed toggle's label, the help under a toggle, the file a what-if changes), it is: a path is an inline
block, and so is each of its parts up to and with its '/'. A block that fits the line goes whole onto the next one: a
path in a sentence is not broken where it fits a line ('changes from' / 'scenarios/campaign.yaml:'); a longer one breaks
after a folder, not at the last '_' that fits ('scenarios/whatif/' / 'jan_truce_holds.yaml'); and only a part longer
than the line breaks after one of its '_' (a ``<wbr>``, which adds nothing to the copied text).

The picker's list is plain text (Vuetify's items): there :func:`breakable` puts an invisible space after each '/', and
after the '_' of a part too long to fit. A list that closes when clicked is not where a path is copied from.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

PART = "sim-part"
# An inline block is as wide as its text, and no wider than its line: a longer part wraps inside it, at its <wbr>.
CSS = f".{PART} {{ display: inline-block; }}"
BREAK = "\u200b"  # a zero-width space
# In the picker's list (256 px of text at 360 px, 16-px letters), a part of up to this many characters fits a line:
# 'jan_truce_holds_calibrated.yaml' goes whole after 'scenarios/whatif/'; a longer one breaks after a '_'.
LONGEST_WHOLE = 31  # characters
_PATHLIKE = re.compile(r"[/_]\w")
# where a path's parts meet: after each '/' that ends a folder's name and another name follows, whatever it is made of
# ('$HOME$/' too), but not after an absolute path's first '/', which would stand alone at a line's end
_AFTER_FOLDER = re.compile(r"(?<=[^/\s]/)(?=[^/\s])")
_UNDERSCORE = re.compile(r"_(?=\w)")  # a '_' inside a name, where a part too long for its line may break


def breakable(path: str) -> str:
    """``path`` with a :data:`BREAK` after each '/' that a letter or digit follows, and after each such '_' of a part
    (between '/'s) longer than :data:`LONGEST_WHOLE` characters: plain text where a path may break."""
    parts = _AFTER_FOLDER.split(path)
    return BREAK.join(_UNDERSCORE.sub("_" + BREAK, p) if len(p) > LONGEST_WHOLE else p for p in parts)


# The characters of a path that Markdown shows as they are. Any other it may read: '_' and '*' as emphasis
# ('/tmp/__drafts__' in italics), '`' as code, ':' as an emoji's shortcode (a folder 'notes:smile:' showed a smiling
# face, an image the page fetched from a CDN), and the page reads '$...$' as maths (Solara's Markdown runs KaTeX over it
# where KaTeX loads). Such a character is written as a character reference, which Markdown passes on as it is.
_PLAIN = re.compile(r"[A-Za-z0-9/.-]")
# KaTeX looks for '$...$' within one run of text: each '$' in an element of its own is a run that holds no pair.
_DOLLAR = "<span>&#36;</span>"


def _unread(text: str) -> str:
    """``text`` as HTML that Markdown, its emoji and the page's maths show as it is, character for character."""
    return "".join(c if _PLAIN.fullmatch(c) else _DOLLAR if c == "$" else f"&#{ord(c)};" for c in text)


def path_html(text: str, *, markdown: bool = False) -> str:
    """``text`` as HTML in which each word holding a path or a file name ('/' or '_' before a letter) is an inline
    block of inline blocks, one per part up to and with its '/', each with a ``<wbr>`` after its '_'s; the rest
    escaped. With ``markdown`` (HTML that Markdown is to show: ``text`` is one path, spaces and all), every word is
    written so that Markdown reads nothing in it (:func:`_unread`), and shows as it is."""
    escape = _unread if markdown else html.escape
    out = []
    for word in re.split(r"(\s+)", text):
        if not _PATHLIKE.search(word):
            out.append(escape(word))
            continue
        parts = [f'<span class="{PART}">' + (escape("_") + "<wbr>").join(map(escape, _UNDERSCORE.split(p))) + "</span>"
                 for p in _AFTER_FOLDER.split(word)]
        # the whole path in a block of its own too: where it fits a line it is not broken at all
        out.append(parts[0] if len(parts) == 1 else f'<span class="{PART}">{"".join(parts)}</span>')
    return "".join(out)


# a word with a '/' inside it: a path, from the disk's root too (a what-if in a --save-dir outside the project), with
# the punctuation that follows it: outside the path's block, a line could begin with it (', replicate 0' at 360 px)
_AFTER_PATH = r"[,.;:!?)]*"
_PATH = re.compile(rf"(?<![\w/.-])/?(?:[\w.-]+/)+[\w.-]*\w{_AFTER_PATH}")
_CODE = re.compile(r"(`[^`]*`)")


def paths_breakable(markdown: str, *paths: str | Path | None) -> str:
    """``markdown`` with each path as :func:`path_html` makes it: the tabs named a long scenario's path as one word,
    which ran off a phone's page (the sidebar already broke it between its parts). A code span that is one path (the
    Save tab's save folder) is code still, its path broken the same way; any other code span is left as it is.

    ``paths``, those the caller put into ``markdown`` (the picked file, the save folder; None: none), are found as they are, and
    show as they are, whatever their folders' names hold (':', '$', a space); other paths are found by their look (a
    run of letters, digits, '_', '.', '-' and '/')."""
    known = sorted({str(p) for p in paths if p}, key=len, reverse=True)  # the longest first: a folder and a file in it
    found = re.compile("|".join([*(re.escape(p) + _AFTER_PATH for p in known), _PATH.pattern]))
    # split() with a group: the code spans are the odd pieces
    return "".join(_code(piece, known) if i % 2 else found.sub(lambda m: path_html(m.group(0), markdown=True), piece)
                   for i, piece in enumerate(_CODE.split(markdown)))


def _code(span: str, known: list[str]) -> str:
    """A code span (with its backticks) as HTML code whose path breaks between its parts, if it holds one path (one of
    ``known``, or a word with a '/').

    As Markdown's code, a long --save-dir broke at a phone's page edge inside a name ('what_ifs_for_the_idl' /
    'ib_')."""
    inner = span[1:-1]
    one_path = inner in known or ("/" in inner and not re.search(r"\s", inner))
    return f"<code>{path_html(inner, markdown=True)}</code>" if one_path else span


# In an alert a path breaks between its parts (Breakable), and any other long word (a name typed as '%%%...', an
# exception's text) at the edge: at 360 px the Save tab's alerts, a failed Reset, a failed ensemble and a failed view
# ran their path off the page.
LONG_WORDS = {"overflow-wrap": "anywhere"}


def css(style: dict[str, str]) -> str:
    """A style dict (as solara.Text takes) as a CSS declaration list."""
    return "; ".join(f"{k}: {v}" for k, v in style.items())
