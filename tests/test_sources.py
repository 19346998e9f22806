"""The project restates its sources and never copies their sentences (scripts/source_fingerprints.py)."""

from .conftest import ROOT, script_module

SKIPPED = {".git", ".venv", "results", "__pycache__", "node_modules"}  # not the project's text, or not its own
TEXT = {".md", ".py", ".yaml", ".yml", ".csv", ".txt", ".json", ".toml"}


def load_script():  # noqa: ANN201 - the script's module
    return script_module("source_fingerprints")


def project_texts():  # noqa: ANN201 - (path, text) pairs
    for path in sorted(ROOT.rglob("*")):
        parts = path.relative_to(ROOT).parts
        if path.suffix in TEXT and path.is_file() and not SKIPPED.intersection(parts) and path.name != "source_fingerprints.txt":
            yield path, path.read_text(encoding="utf-8", errors="replace")


def copied(script, text: str, fingerprints: set[str]) -> list[str]:  # noqa: ANN001 - the script's module
    """The runs of words in ``text`` that are a source's, each as the words it starts with."""
    w = script.words(text)
    return [" ".join(w[i:i + script.WORDS]) for i, digest in script.runs(text) if digest in fingerprints]


def test_no_file_of_the_project_copies_a_run_of_ten_words_from_a_source_article():
    script = load_script()
    lines = (ROOT / "tests" / "data" / "source_fingerprints.txt").read_text(encoding="utf-8").splitlines()
    fingerprints = {line for line in lines if not line.startswith("#")}
    assert len(fingerprints) > 1000  # both articles, some 1,300 words
    found = {str(path.relative_to(ROOT)): hits for path, text in project_texts() if (hits := copied(script, text, fingerprints))}
    assert not found, f"copied from a source article, restate it in your own words: {found}"


def test_a_copied_sentence_is_found_however_it_is_reflowed_or_punctuated(tmp_path):
    script = load_script()
    source = ("The offensive resumed at dawn, and by the evening the army had entered three villages "
              "south of the city, according to local monitors.")
    fingerprints = {digest for _, digest in script.runs(source)}
    restated = "Local monitors reported that three villages south of the city were entered on the day the push resumed."
    reflowed = "As one report put it:\n> the army had ENTERED three villages -- south of the city; according to local\n> monitors."
    assert copied(script, restated, fingerprints) == []
    hits = copied(script, reflowed, fingerprints)  # 14 words of the source: 5 runs of ten
    assert (hits[0], hits[-1], len(hits)) == ("the army had entered three villages south of the city",
                                              "three villages south of the city according to local monitors", 5)
