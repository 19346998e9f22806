"""The command line's plain text as the page writes it: B − A and negative numbers with a true minus sign, and months
in full ('5 March 2020').

``compare A B`` writes for terminals and Markdown files, in plain characters: 'B - A', '-3', '5 Mar 2020'. The page
shows some of its tables and sentences (the dates a what-if moved, with their key) among its own words, which write
'B − A' and '−37.9' with a true minus, as the README's prose does, and dates in full, as its other sentences and tables
do: the dates' table read 'B - A (days)', '-3' and '19 Jan 2020' under tables of 'B − A' and '−37.9' on '5 March
2020'. The record's descriptions, written by hand, mix both ('around 16 Jan 2020', 'around 9 February 2020'): the page
writes their months in full too. Figures keep their own short dates ('1 Dec 2019 – 5 Mar 2020' on an axis), as every
figure of the project does.
"""

from __future__ import annotations

import calendar
import re

MINUS = "\u2212"
# The difference's column, whole on its line: a phone's narrow column (the towns') broke it after its B ("B" over "− A").
CHANGE = f"B\u00a0{MINUS}\u00a0A"
_PLAIN_CHANGE = re.compile(r"\bB - A\b")
# A hyphen-minus that is a sign: before a digit, and not after a letter, a digit or another sign ('59-60', 'astana-06'
# and a table's '---:' rule stay as they are).
_SIGN = re.compile(r"(?<![\w.,\-\u2212])-(?=\d)")
_FULL = {calendar.month_abbr[k]: calendar.month_name[k] for k in range(1, 13)}
# A day, a month's short name and maybe a year ('16 Jan', '29 Feb 2020'); 'May' is its own short name.
_SHORT_MONTH = re.compile(r"\b(\d{1,2}) (" + "|".join(m for m in _FULL if m != "May") + r")\b(?: (\d{4})\b)?")


def months_in_full(text: str, space: str = " ") -> str:
    """``text`` with each date's short month written in full ('16 Jan 2020' as '16 January 2020'), the date's parts
    joined by ``space`` (a non-breaking one keeps a date whole, as the page's tables keep theirs)."""
    return _SHORT_MONTH.sub(lambda m: space.join(filter(None, (m[1], _FULL[m[2]], m[3]))), text)


def typeset(text: str) -> str:
    """The command line's ``text`` (a sentence, or a Markdown table) as the page writes it: 'B - A' as
    :data:`CHANGE`, a sign as :data:`MINUS`, and its dates' months in full."""
    return months_in_full(_SIGN.sub(MINUS, _PLAIN_CHANGE.sub(CHANGE, text)))
