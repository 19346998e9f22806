"""What every figure shares: faction colours and names, road styles, and making and saving figures.

Figures are ``matplotlib.figure.Figure`` objects with their own Agg canvas:
nothing here goes through pyplot or touches matplotlib's backend, so drawing
a map in a notebook leaves the notebook's backend as it was. A figure is
saved with :func:`save_figure` (atomically) and then simply dropped.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import numpy as np
from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import LinearSegmentedColormap, to_hex, to_rgb
from matplotlib.figure import Figure
from matplotlib.text import Text
from PIL import Image, PngImagePlugin

from ..io.files import atomic_file
from ..io.signatures import SIGNATURE
from ..io.theatre import Theatre
from ..names import DISPLAY_NAMES

# Okabe-Ito colours: distinguishable with the common colour-vision deficiencies.
FACTION_COLOURS = {"regime": "#D55E00", "hts": "#3A3A3A", "rebels": "#009E73", "turkey": "#0072B2", "russia": "#CC79A7"}
FACTION_NAMES = DISPLAY_NAMES
PLURAL_NAMES = {"rebels"}  # sides named in the plural: "Turkish-backed rebels hold", "HTS holds"
CORRIDOR_COLOUR = "#F0E442"  # Okabe-Ito yellow
REPORTED_COLOUR = "#56B4E9"  # Okabe-Ito sky blue: the record, wherever it is drawn
SPREAD_COLOUR = "#6A1B9A"  # an ensemble's front lines, paler the rarer: a purple, so a rare front is not taken for a grey road
# A town held as often by one side as by another (2 runs of 4 each): the secondary roads' grey, which a PNG's palette
# keeps exactly, a mid grey not taken for HTS's near-black.
TIE_COLOUR = "#9A9A9A"
ROAD_STYLE = {"secondary": dict(color="#9A9A9A", lw=0.7, zorder=3)}  # every other road class is a named highway
NAMED_ROAD_STYLE = dict(color="#5A4A2A", lw=2.2, zorder=3)
TINT = 0.42  # territory is the faction colour at this strength over white, so markers stand out
PROBABILITY_TOP = 0.8  # a probability map's fill at P = 1: the faction colour at this strength, lighter than its towns' dots
# Every colour the style names: a PNG's palette keeps each exactly (see :func:`palette_image`).
PALETTE = (*FACTION_COLOURS.values(), CORRIDOR_COLOUR, REPORTED_COLOUR, SPREAD_COLOUR, NAMED_ROAD_STYLE["color"],
           *(style["color"] for style in ROAD_STYLE.values()))
FREQUENT = 64  # the most common colours of a figure (territory, background, text) kept exactly too


def tint(colour: str, strength: float = TINT) -> tuple[float, float, float, float]:
    """A faction colour blended with white (the territory fill)."""
    r, g, b = to_rgb(colour)
    return (1 - strength + strength * r, 1 - strength + strength * g, 1 - strength + strength * b, 1.0)


def who_holds(faction: str) -> str:
    """``faction`` holding, in words for titles and colour bars: "the government holds", "HTS holds",
    "Turkish-backed rebels hold" (the verb agrees with the name)."""
    who = "the government" if faction == "regime" else FACTION_NAMES[faction]
    return f"{who} {'hold' if faction in PLURAL_NAMES else 'holds'}"


def corridor_fill() -> tuple[float, float, float, float]:
    """The security corridor's hatched band colour."""
    return (*tint(CORRIDOR_COLOUR, 1.0)[:3], 0.55)


def corridor_patch() -> dict:
    """The corridor's band and its legend swatch alike: fill, edge and hatching."""
    return {"fc": corridor_fill(), "ec": "#A89A00", "hatch": "////"}


def faction_cmap(faction: str) -> LinearSegmentedColormap:
    """White to the faction's colour at :data:`PROBABILITY_TOP`: the probability that it holds a place.

    Not to the full colour: HTS's towns (#3A3A3A dots) vanished into cells it holds in every run (#3A3A3A).
    """
    return LinearSegmentedColormap.from_list(f"p_{faction}", ["#FFFFFF", tint(FACTION_COLOURS[faction], PROBABILITY_TOP)])


def halo(width: float = 2.6) -> list:
    """A white outline that keeps text readable over anything."""
    return [patheffects.withStroke(linewidth=width, foreground="white")]


def named_roads(t: Theatre) -> list[str]:
    """The theatre's named highways (M4, M5): every road class without a style of its own."""
    return [r for r in t.roads if r not in ROAD_STYLE]


def new_figure(**kw: object) -> Figure:
    """A figure drawn by its own Agg canvas (``Figure`` keywords: figsize, dpi, layout), outside pyplot."""
    fig = Figure(**kw)
    FigureCanvasAgg(fig)
    return fig


# Where a word too long for a line of its own may break: after a dot between letters, as in a parameter's path
# (turkey.troop_deterrence); not after a hyphen, which would split the jan-truce of events.jan-truce.restraint.
_AFTER_DOT = r"(?<=[^\W\d]\.)(?=[^\W\d])"
# Where a piece still too long may break: after a '_' between letters or digits, as in a scenario's name. The shipped
# whatif_no_moscow_agreement_turkey_stands_down, 45 characters, ran off a phone's towns held figure (3.9 inches) whole.
_AFTER_UNDERSCORE = r"(?<=[^\W_]_)(?=[^\W_])"


def fit_text(text: Text, room: float) -> Text:
    """``text`` broken onto lines each no longer than ``room`` pixels as it is drawn, measured with the renderer.

    Lines break between words only, each filled with as many words as fit, so a text that fits stays on one line and
    a scenario's name is split only where it is wider than a line. A word longer than ``room`` on its own breaks
    after a dot of a dotted name, and a part of it still too long after a '_' (a scenario's name); any other is left
    whole. Line breaks already in the text are kept. A rotated text (a y axis's label) is measured along its own
    direction.

    Args:
        text: a title or label already made (its font is the one measured); its text is replaced.
        room: the longest a line may be, in the figure's pixels.

    Returns:
        ``text``, for chaining.
    """
    fig = text.get_figure(root=True)
    renderer = fig.canvas.get_renderer()
    probe = Text(0, 0, "", fontproperties=text.get_fontproperties(), usetex=text.get_usetex(),
                 parse_math=text.get_parse_math())
    probe.set_figure(fig)

    def length(line: str) -> float:
        probe.set_text(line)
        return probe.get_window_extent(renderer).width

    lines = []
    for given in text.get_text().split("\n"):
        line = ""
        for word in given.split(" "):
            # A word that fits on a line of its own is one piece; a longer one, the parts between its breaks.
            parts = [word] if length(word) <= room else [
                piece for part in re.split(_AFTER_DOT, word)
                for piece in ([part] if length(part) <= room else re.split(_AFTER_UNDERSCORE, part))]
            for k, part in enumerate(parts):
                joined = line + ("" if k or not line else " ") + part
                if line and length(joined) > room:
                    lines.append(line)
                    line = part
                else:
                    line = joined
        lines.append(line)
    text.set_text("\n".join(lines))
    return text


def fitted_suptitle(fig: Figure, text: str, *, fontsize: float, margin: float = 8.0, room: float | None = None) -> Text:
    """The figure's title, broken between words where one line would be wider than the figure (:func:`fit_text`).

    A title that names its scenario grows with the name (a shipped what-if's is 45 characters): on one line it ran
    off both edges and was cut.

    Args:
        fig: the figure.
        text: the title.
        fontsize: its size in points.
        margin: the room kept clear at either edge, in pixels.
        room: the longest a line may be, in pixels, where that is less than the figure's width (a picture cut from
            it); by default the figure's width less ``margin`` either side.
    """
    return fit_text(fig.suptitle(text, fontsize=fontsize), fig.bbox.width - 2 * margin if room is None else room)


def fitted_title(ax: Axes, text: str, *, fontsize: float, margin: float = 8.0, **kw: object) -> Text:
    """The axes' title (``Axes.set_title`` keywords in ``kw``), broken between words where one line would run past
    either edge of the figure, less ``margin`` pixels (:func:`fit_text`); the figure is left laid out.

    An axes' title is centred on the axes, not on the figure, and may be wider than the axes (over its y label), so
    its room is twice the distance from that centre to the nearer edge. The figure is laid out first, for where the
    axes stand (a layout engine leaves an axes' width as it is whatever its title's), and again if the title took
    more lines, so a caller may read the axes' places as drawn.
    """
    title = ax.set_title(text, fontsize=fontsize, **kw)
    fig = ax.get_figure(root=True)
    fig.draw_without_rendering()
    box = ax.get_window_extent()
    centre = (box.x0 + box.x1) / 2
    if fit_text(title, 2 * min(centre, fig.bbox.width - centre) - 2 * margin).get_text() != text:
        fig.draw_without_rendering()
    return title


FORMATS = (".png", ".svg", ".pdf")  # what a figure may be saved as: each carries the simulator's signature


def canvas_rgb(fig: Figure) -> Image.Image:
    """The figure drawn on its own canvas at its own dpi, as an RGB image.

    The same pixels as a ``savefig`` to PNG read back, in about 60% of the time.
    """
    fig.canvas.draw()
    return Image.fromarray(np.asarray(fig.canvas.buffer_rgba())[..., :3])


def _pixels(fig: Figure, kw: dict) -> Image.Image:
    """The figure's pixels as an RGB image, as ``Figure.savefig(**kw)`` draws them (:func:`canvas_rgb` without ``kw``)."""
    if not kw:
        return canvas_rgb(fig)
    buf = io.BytesIO()
    # This PNG only carries the pixels to Pillow: stored, not compressed.
    fig.savefig(buf, format="png", metadata={"Software": None}, pil_kwargs={"compress_level": 0}, **kw)
    buf.seek(0)
    with Image.open(buf) as image:
        return image.convert("RGB")


def _packed(rgb: np.ndarray) -> np.ndarray:
    """(..., 3) uint8 colours as one uint32 each (0xRRGGBB)."""
    return (rgb[..., 0].astype(np.uint32) << 16) | (rgb[..., 1].astype(np.uint32) << 8) | rgb[..., 2]


def _unpacked(packed: np.ndarray) -> np.ndarray:
    return np.stack([(packed >> 16) & 255, (packed >> 8) & 255, packed & 255], axis=-1).astype(np.int32)


def palette_image(rgb: Image.Image, keep: tuple[str, ...] = PALETTE, *, colours: int = 256,
                  frequent: int = FREQUENT) -> Image.Image:
    """``rgb`` with a palette of at most ``colours`` colours, in which each colour of ``keep`` that it has is exact.

    An image of no more colours is stored as it is. Otherwise the palette is
    the colours of ``keep`` in the image, its ``frequent`` most common colours,
    and a median cut of the remaining pixels for the rest; each pixel takes the
    nearest colour of the palette. A median cut of the whole image, as PNGs were
    cut before, dropped small rare colours: the military police's pink on the
    campaign map, and the reported front's sky blue.
    """
    a = np.asarray(rgb.convert("RGB"))
    packed = _packed(a).ravel()
    found, inverse, counts = np.unique(packed, return_inverse=True, return_counts=True)
    if len(found) <= colours:
        palette, index = found, inverse
    else:
        wanted = np.unique([int(to_hex(c)[1:], 16) for c in keep]).astype(np.uint32)
        kept = wanted[np.isin(wanted, found)]
        common = found[np.argsort(-counts, kind="stable")[: frequent + len(kept)]]
        fixed = np.concatenate([kept, common[~np.isin(common, kept)][:frequent]])[:colours]
        rest = a.reshape(-1, 3)[~np.isin(found, fixed)[inverse]]
        n = colours - len(fixed)
        cut = np.zeros((0, 3), np.uint8)
        if n > 0:
            quantized = Image.fromarray(rest.reshape(1, -1, 3)).quantize(n, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
            cut = np.array(quantized.getpalette()[: 3 * n], np.uint8).reshape(-1, 3)
        palette = np.unique(np.concatenate([fixed, _packed(cut)]))
        # The nearest palette colour of each colour in the image (exact ones stay): |c - p|² less |c|², which is the
        # same for every p; exact in floating point, 8-bit colours' products being small integers.
        found_rgb, palette_rgb = _unpacked(found).astype(float), _unpacked(palette).astype(float)
        near = ((palette_rgb**2).sum(axis=1) - 2 * found_rgb @ palette_rgb.T).argmin(axis=1)
        index = near[inverse]
    image = Image.frombytes("P", rgb.size, index.astype(np.uint8).tobytes())
    image.putpalette(_unpacked(palette).astype(np.uint8).ravel().tolist())
    return image


def save_figure(fig: Figure, path: str | Path, *, palette: bool = True, **kw: object) -> Path:
    """Save ``fig`` atomically (a temporary file renamed into place), signed as the simulator's.

    With ``palette``, PNGs are stored with a 256-colour palette
    (:func:`palette_image`: every colour of the style exact): maps and
    plots are flat colours and lines, so they look the same at about a third
    of the size. PNGs carry ``Software: idlib-sim`` (so a later command knows
    it may replace them), SVG and PDF files the same as their creator; no
    date, so the same figure gives the same bytes. ``kw`` goes to ``Figure.savefig``.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise ValueError(f"figures are saved as {', '.join(FORMATS)}, not {path.name}")
    with atomic_file(path) as tmp:
        if suffix == ".png" and palette:
            rgb = _pixels(fig, kw)
            info = PngImagePlugin.PngInfo()
            info.add_text("Software", SIGNATURE)
            palette_image(rgb).save(tmp, format="PNG", pnginfo=info)
        elif suffix == ".png":
            fig.savefig(tmp, metadata={"Software": SIGNATURE}, **kw)
        else:
            fig.savefig(tmp, metadata={"Creator": SIGNATURE, "Date": None}, **kw)
    return path
