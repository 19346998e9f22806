"""Where the page's paths may break across lines, in a way that survives copying; and the user's strings in the page's
Markdown, shown exactly as they are (:func:`exactly`).

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

The tabs' text is Markdown: a path, or any other string the page did not write itself, goes into it through
:func:`exactly`, which writes it so that Markdown reads nothing in it.
"""

from __future__ import annotations

import html
import re

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
# An address's query ('?folder=group-a'): a browser may break after its '?', and a refused address's page, 1280 px wide,
# read 'such as ?' / 'folder=group-a'. A word holding one is a block, whole on its line where it fits.
_QUERY = re.compile(r"\?\w")


def breakable(path: str) -> str:
    """``path`` with a :data:`BREAK` after each '/' that a letter or digit follows, and after each such '_' of a part
    (between '/'s) longer than :data:`LONGEST_WHOLE` characters: plain text where a path may break."""
    parts = _AFTER_FOLDER.split(path)
    return BREAK.join(_UNDERSCORE.sub("_" + BREAK, p) if len(p) > LONGEST_WHOLE else p for p in parts)


# The characters Markdown shows as they are: letters, digits, '/', '.', '-', and a space between two words. Any other it
# may read: '_' and '*' as emphasis ('/tmp/__drafts__' in italics), '`' as code, '[...](...)' as a link, '<b>' as a tag,
# ':' as an emoji's shortcode (a folder 'notes:smile:' showed a smiling face, an image the page fetched from a CDN), '|'
# as a table's next cell, a newline as a new paragraph; and the page reads '$...$', '\(...\)' and '\[...\]' as
# maths (Solara's Markdown runs KaTeX over it where KaTeX loads), and Vue, which compiles the Markdown's HTML as a
# template, '{{...}}' as an expression (a description's '{{ 6*7 }}' showed 42). Such a character is written as a
# character reference, which Markdown passes on as it is.
_PLAIN = re.compile(r"[A-Za-z0-9/.-]")
# KaTeX and Vue look for their delimiters within one run of text, the character references read: each '$', '\' and '{'
# in an element of its own is a run that holds no pair, and no '\(', '\[' or '{{'.
_OWN_ELEMENT = {c: f"<span>&#{ord(c)};</span>" for c in "$\\{"}
# At a line's start Markdown reads '1. ', '- ', '+ ', '---' as a list or a rule: where a string begins a line, so
# does its first character, which :func:`exactly` writes as a reference where it is not a letter.
_FIRST_PLAIN = re.compile(r"^((?:<span[^>]*>)*)([0-9/.-])")


def _unread(text: str) -> str:
    """``text`` as HTML that Markdown, its emoji and the page's maths show as it is, character for character."""
    return "".join(c if _PLAIN.fullmatch(c) else _OWN_ELEMENT.get(c) or f"&#{ord(c)};" for c in text)


def path_html(text: str, *, markdown: bool = False) -> str:
    """``text`` as HTML in which each word holding a path or a file name ('/' or '_' before a letter) is an inline
    block of inline blocks, one per part up to and with its '/', each with a ``<wbr>`` after its '_'s; the rest
    escaped. With ``markdown`` (HTML that Markdown is to show), every character Markdown might read is written so
    that it reads nothing in it (:func:`_unread`), a space between two words but left as it is."""
    escape = _unread if markdown else html.escape
    pieces = re.split(r"(\s+)", text)  # words, and between them (the odd pieces) their white space
    out = []
    for i, word in enumerate(pieces):
        if i % 2:
            between = word == " " and pieces[i - 1] and pieces[i + 1]  # (a space at either end is read as nothing)
            out.append(word if not markdown or between else escape(word))
        elif _QUERY.search(word) and not _PATHLIKE.search(word):
            out.append(f'<span class="{PART}">{escape(word)}</span>')
        elif not _PATHLIKE.search(word):
            out.append(escape(word))
        else:
            parts = [f'<span class="{PART}">' + (escape("_") + "<wbr>").join(map(escape, _UNDERSCORE.split(p))) + "</span>"
                     for p in _AFTER_FOLDER.split(word)]
            # the whole path in a block of its own too: where it fits a line it is not broken at all
            out.append(parts[0] if len(parts) == 1 else f'<span class="{PART}">{"".join(parts)}</span>')
    return "".join(out)


def exactly(text: object) -> str:
    """``text``, a string from the user or the user's files (a path, a scenario's description or name, a town, an
    outcome's description, a change of a what-if file), as HTML for the page's Markdown that shows it exactly as it is,
    wherever in the Markdown it stands (in a sentence, a list, a table's cell, at a line's start), its paths breaking
    between their parts (:func:`path_html`). Every such string the page puts into its Markdown goes through here:
    found there by its look, a path with a ':' or a '$' in a folder's name was read in part as Markdown."""
    return _FIRST_PLAIN.sub(lambda m: f"{m[1]}&#{ord(m[2])};", path_html(str(text), markdown=True), count=1)


# In an alert a path breaks between its parts (Breakable), and any other long word (a name typed as '%%%...', an
# exception's text) at the edge: at 360 px the Save tab's alerts, a failed Reset, a failed ensemble and a failed view
# ran their path off the page.
LONG_WORDS = {"overflow-wrap": "anywhere"}


def css(style: dict[str, str]) -> str:
    """A style dict (as solara.Text takes) as a CSS declaration list."""
    return "; ".join(f"{k}: {v}" for k, v in style.items())
