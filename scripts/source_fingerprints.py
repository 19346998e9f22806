"""Fingerprint the news articles the project starts from, so that a test can tell if any of their sentences is copied.

    .venv/bin/python scripts/source_fingerprints.py ../shared/seeds/*.txt

The project restates what its sources say and cites them; it never copies
their sentences. The articles themselves are not in the repository, so
this writes ``tests/data/source_fingerprints.txt``: a digest of every run of
:data:`WORDS` consecutive words of theirs, which gives none of their text
back. ``tests/test_sources.py`` looks for each run of as many words in the
project's own files among them. Ten words is longer than any place name or
title the project quotes in a citation, and shorter than a sentence.
"""

from __future__ import annotations

import hashlib
import re
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FINGERPRINTS = ROOT / "tests" / "data" / "source_fingerprints.txt"
WORDS = 10  # words in a run: see the module's docstring


def words(text: str) -> list[str]:
    """The words of ``text``, lower-cased, punctuation and layout dropped: a copy reflowed or re-punctuated is still one."""
    return re.findall(r"[a-z0-9']+", text.lower())


def runs(text: str) -> Iterator[tuple[int, str]]:
    """(position, digest) of each run of :data:`WORDS` consecutive words of ``text``."""
    w = words(text)
    for i in range(len(w) - WORDS + 1):
        yield i, hashlib.blake2b(" ".join(w[i:i + WORDS]).encode(), digest_size=8).hexdigest()


def main(argv: list[str]) -> int:
    if not argv:
        print("usage: source_fingerprints.py ARTICLE.txt ...", file=sys.stderr)
        return 2
    digests = sorted({digest for path in argv for _, digest in runs(Path(path).read_text(encoding="utf-8"))})
    FINGERPRINTS.parent.mkdir(exist_ok=True)
    header = f"# {WORDS}-word runs of {len(argv)} source articles, as digests (scripts/source_fingerprints.py)\n"
    FINGERPRINTS.write_text(header + "\n".join(digests) + "\n", encoding="utf-8")
    print(f"{len(digests)} runs of {WORDS} words written to {FINGERPRINTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
