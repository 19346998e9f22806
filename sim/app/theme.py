"""The dark theme's colours where Solara's defaults read faintly; the light theme is left as Solara draws it.

In the dark theme Vuetify fills the app bar, every button and a moving slider's value with the theme's primary
colour and writes white on it: on Solara's dark primary (#2196F3) that is 3.1:1, under WCAG's 4.5:1 for text. The
dark primary takes the light theme's darker blue, on which white reads at 4.6:1. The same colour is Vuetify's ink
for words written in it on the dark page (the open tab, a focused field's label and message, the picked scenario in
its list), where the darker blue would read at 3.6:1: those keep Solara's lighter blue (5.3:1 on the dark card).
The YAML's comments on the Save tab, in the grey of Solara's dark code style (#7F848E, 4.4:1 on the code's
background), take a lighter grey of the same hue (5.1:1); that style's other colours read at 4.5:1 and above.

A table's cell kept in view while the rest scrolls under it (a header, a row's label) is painted the colour of the
tab's sheet round the table, :data:`SHEET`: Solara's Jupyter colour for it, white in the light theme, is #111111 in the
dark one, where the sheet is Vuetify's card, #1E1E1E (the page behind the cards is #121212).
"""

from __future__ import annotations

import solara.lab

DARK_PRIMARY = "#1976D2"  # white on it 4.6:1 (Vuetify's primary of the light theme)
DARK_PRIMARY_TEXT = "#2196F3"  # Solara's dark primary: 5.3:1 on the dark card (#1E1E1E)
DARK_COMMENT = "#8A8F99"  # 5.1:1 on the dark code background (#1D1F22)

SHEET = "--sim-sheet"  # a CSS variable: the colour of the tabs' sheet (Vuetify's card), #FFFFFF or #1E1E1E
SHEETS = {"light": "#FFFFFF", "dark": "#1E1E1E"}

COMMENT_TOKENS = ("c", "ch", "cm", "cp", "cpf", "c1", "cs")  # Pygments' classes of a comment, as Solara's style lists them
_COMMENTS = ", ".join(f".v-application.theme--dark .highlight .{token}" for token in COMMENT_TOKENS)
THEME_CSS = f""".v-application.theme--dark .primary--text {{ color: {DARK_PRIMARY_TEXT} !important;
  caret-color: {DARK_PRIMARY_TEXT} !important; }}
{_COMMENTS} {{ color: {DARK_COMMENT}; }}
""" + "\n".join(f".v-application.theme--{theme} {{ {SHEET}: {colour}; }}" for theme, colour in SHEETS.items())


def use_dark_colours() -> None:
    """Give this page's dark theme :data:`DARK_PRIMARY` (Solara keeps a theme per page; setting it again is a no-op)."""
    solara.lab.theme.themes.dark.primary = DARK_PRIMARY
