"""scripts/docs_numbers.py: the numbers docs/*.md and the README's text quote go stale in no test's sight no more.

Round 71 changed the campaign's runs and the numbers of docs/*.md stayed as they were for two rounds, since no test
read them. docs/numbers.json keeps, for each file, a digest of what its numbers were computed from when it was last
checked; the test here computes it again.
"""

from __future__ import annotations

import dataclasses
import re

import pytest

from .conftest import ROOT, script_module


@pytest.fixture(scope="module")
def numbers():  # noqa: ANN201 - the script's module
    return script_module("docs_numbers")


def test_every_docs_file_is_stamped_or_said_to_quote_no_computed_number(numbers):
    # A new file of docs/ must be put in QUOTED (with where its numbers come from) or in UNQUOTED (with why not).
    docs = {f"docs/{p.name}" for p in (ROOT / "docs").glob("*.md")}
    quoted = {q.file for q in numbers.QUOTED}
    undecided = sorted(docs - quoted - set(numbers.UNQUOTED))
    assert not undecided, (f"{undecided}: put each in scripts/docs_numbers.py's QUOTED (with the experiments its "
                           "numbers come from, then --stamp it once checked) or UNQUOTED (with why it quotes none)")
    assert quoted | set(numbers.UNQUOTED) <= docs | {"README.md"}  # no entry for a file that is gone
    assert "README.md" in quoted and not quoted & set(numbers.UNQUOTED)
    for q in numbers.QUOTED:
        assert (ROOT / q.file).is_file() and q.experiments, q
        assert set(q.experiments) <= set(numbers.experiments.BY_NAME), q
        assert all((ROOT / s).is_file() for s in q.scenarios), q
        assert numbers.sources(q), q  # runs to digest: a file stamped on nothing would never go stale


def test_each_file_quotes_what_this_checkout_computes(numbers):
    """docs/numbers.json, written when each file's numbers were last checked against a complete rerun, against what
    this checkout computes: a change to a rule, the theatre, a scenario, the record or its scoring that moves the runs
    or their scores names each file to check again, and the command that stamps them once checked."""
    extra = sorted(set(numbers.stamped()) - set(numbers.BY_FILE))
    assert not extra, f"docs/numbers.json stamps {extra}, which QUOTED no longer names: stamping any file drops them"
    stale = numbers.stale()
    assert not stale, numbers.what_to_do(stale)


def test_the_stamp_follows_the_runs_and_their_scores(numbers, monkeypatch):
    exp = numbers.experiments.BY_NAME["campaign"]

    def digests() -> tuple[str, str]:  # the docs' digest (scored), and the figures' (not), on one replicate (quicker)
        return numbers.experiments.drawn_from(exp, sample=1, scored=True), numbers.experiments.drawn_from(exp, sample=1)

    before = digests()  # the same checkout gives the same: test_each_file_quotes_what_this_checkout_computes
    import sim.analysis.scoring as scoring
    import sim.experiments.run as run

    card_of = scoring.scorecard

    def one_check_otherwise(results, outcomes_file=None):  # noqa: ANN001, ANN202 - scorecard's arguments
        card = card_of(results, outcomes_file)
        first = card.scores[0].checks[0]
        card.scores[0].checks[0] = dataclasses.replace(first, met=not first.met)  # one run meets one outcome otherwise
        return card

    monkeypatch.setattr(scoring, "scorecard", one_check_otherwise)
    scored, figures = digests()
    assert scored != before[0] and figures == before[1]  # the same runs scored otherwise: the figures' digest misses it
    monkeypatch.undo()

    simulate_batch = run.simulate_batch

    def one_town_otherwise(scenario, seeds):  # noqa: ANN001, ANN202 - the same arguments as simulate_batch
        results = simulate_batch(scenario, seeds)
        results[-1].history[-1, 0] = (results[-1].history[-1, 0] + 1) % 3  # the last replicate's last day
        return results

    monkeypatch.setattr(run, "simulate_batch", one_town_otherwise)
    assert all(now != then for now, then in zip(digests(), before, strict=True))


@pytest.fixture
def fake_digests(numbers, monkeypatch):  # noqa: ANN201
    """The script, with each file's digest a name in ``digest`` (no model run), and a stamps file of its own."""
    digest = {q.file: f"computed from {q.file}" for q in numbers.QUOTED}
    monkeypatch.setattr(numbers, "computed_from", lambda quoted, memo: digest[quoted.file])
    return digest


def test_stamping_records_the_files_named_alone_and_the_check_names_the_rest(numbers, fake_digests, tmp_path,
                                                                               capsys):
    path = tmp_path / "numbers.json"
    path.write_text('{"docs/gone.md": {"computed_from": "a file QUOTED named once"}}', encoding="utf-8")
    assert numbers.main(["--stamp", "docs/model.md", "docs/app.md"], path=path) == 0
    assert capsys.readouterr().out == "stamped docs/model.md\nstamped docs/app.md\n"
    kept = numbers.stamped(path)
    assert sorted(kept) == ["docs/app.md", "docs/model.md"]
    assert kept["docs/app.md"] == {"experiments": ["campaign_map"], "scenarios": [],
                                   "computed_from": "computed from docs/app.md"}
    rest = [q.file for q in numbers.QUOTED if q.file not in kept]

    assert numbers.main([], path=path) == 1
    said = capsys.readouterr().out
    named = re.findall(r"^- (\S+): ", said, flags=re.M)
    assert named == rest  # each file to check again, once, in the table's order
    assert said.rstrip().endswith(f"    {numbers.RESTAMP} {' '.join(rest)}")  # the one command that stamps them
    assert f"- docs/record.md: regenerate with `{numbers.REGENERATE} campaign moscow jan_truce " in said
    assert "scripts/opposition_assaults.py" in said

    fake_digests["docs/model.md"] = "computed from other runs"  # a rule changed what docs/model.md's runs give
    assert numbers.main(["--stamp", *rest], path=path) == 0
    capsys.readouterr()
    assert numbers.main([], path=path) == 1
    said = capsys.readouterr().out
    assert re.findall(r"^- (\S+): ", said, flags=re.M) == ["docs/model.md"]
    assert said.rstrip().endswith(f"{numbers.RESTAMP} docs/model.md")
    assert numbers.main(["--stamp", "docs/model.md"], path=path) == 0
    assert numbers.main([], path=path) == 0
    assert "every file" in capsys.readouterr().out.splitlines()[-1]


def test_a_file_that_quotes_nothing_cannot_be_stamped(numbers, fake_digests, tmp_path, capsys):
    path = tmp_path / "numbers.json"
    with pytest.raises(SystemExit) as exit_:
        numbers.main(["--stamp", "docs/performance.md"], path=path)
    assert exit_.value.code == 2 and "invalid choice" in capsys.readouterr().err and not path.exists()
