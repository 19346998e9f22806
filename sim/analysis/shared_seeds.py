"""Which replicates of two ensembles a comparison pairs: those that ran the same seed.

A replicate's seed fixes its luck, so replicate *s* of a what-if and of its
baseline differ only where the change made them differ, and B - A over such
pairs leaves the common luck out. Two ensembles that share some seeds but not
all (A on 1-40, B on 21-60) are compared on the seeds both ran, paired, the
others left out: scored over all of them as if independent, the shared
replicates' common luck was counted as chance, and the report said
"independent replicates". One shared seed is too few to pair on (a bootstrap
over one pair has no spread): then all are compared, unpaired, and the
report names the seed.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, replace

from .bootstrap import MIN_REPLICATES
from .scoring import Scorecard, score


@dataclass(frozen=True)
class SeedPairing:
    """The seeds two ensembles ran, and how a comparison of them is taken.

    Attributes:
        seeds_a, seeds_b: every replicate's seed, in each ensemble's order, as given (before any is left out).
    """

    seeds_a: tuple[int, ...]
    seeds_b: tuple[int, ...]

    @property
    def shared(self) -> tuple[int, ...]:
        """The seeds both ran."""
        return tuple(sorted(set(self.seeds_a) & set(self.seeds_b)))

    @property
    def same(self) -> bool:
        return self.seeds_a == self.seeds_b

    @property
    def paired(self) -> bool:
        """Whether B - A is taken over pairs of replicates on the same seed (all of them, or the shared ones)."""
        return self.same or len(self.shared) >= MIN_REPLICATES

    @property
    def only_a(self) -> tuple[int, ...]:
        """A's seeds left out of a comparison paired on the shared ones (none when it is not paired)."""
        return tuple(s for s in self.seeds_a if s not in self.shared) if self.paired else ()

    @property
    def only_b(self) -> tuple[int, ...]:
        return tuple(s for s in self.seeds_b if s not in self.shared) if self.paired else ()

    def words(self) -> str:
        """How the differences pair the replicates, for a sentence: "paired (same seeds)", "paired on the 20 seeds
        both ran (21–40)", or "independent replicates" and what seed they share."""
        shared = self.shared
        if self.same or (self.paired and not (self.only_a or self.only_b)):
            return "paired (same seeds)"
        if self.paired:
            return f"paired on the {len(shared)} seeds both ran ({_spans(shared)})"
        if shared:
            return f"independent replicates, though seed {shared[0]} is in both (pairing needs {MIN_REPLICATES} or more)"
        return "independent replicates (no seed in common)"

    def left_out(self) -> str:
        """The sentence naming the replicates a comparison paired on the shared seeds leaves out, or ""."""
        parts = [(side, seeds) for side, seeds in (("A", self.only_a), ("B", self.only_b)) if seeds]
        # the first side's count says what it counts, the second's follows it: "and B's 20 (seeds 41–60)"
        left = [f"{side}'s {len(seeds)}" + (f" other replicate{'s' * (len(seeds) != 1)}" if k == 0 else "")
                + f" ({seeds_in_words(seeds)})" for k, (side, seeds) in enumerate(parts)]
        verb = "is" if len(parts) == 1 and len(parts[0][1]) == 1 else "are"
        return f"{' and '.join(left)} {verb} left out, having no partner." if parts else ""

    def rerun(self, scenario_a: str | None, scenario_b: str | None) -> str:
        """How to pair every replicate, or "" if all are: one side's scenario run again on the other's seeds (B's on
        A's, or A's on B's where B's include them all); ``scenario_a``, ``scenario_b``: each one's file, or None
        where the results do not name one."""
        if self.same or (self.paired and not (self.only_a or self.only_b)):
            return ""
        a_within_b = set(self.seeds_a) <= set(self.seeds_b)
        side, scenario, seeds = ("A", scenario_a, self.seeds_b) if a_within_b else ("B", scenario_b, self.seeds_a)
        first, count = min(seeds), max(seeds) - min(seeds) + 1
        if count != len(seeds):  # not one run of seeds, as an ensemble's are: no one command gives them
            return ""
        command = (f"python -m sim run {shlex.quote(scenario)} --seed {first} --runs {count}" if scenario  # pasted in a shell
                   else f"--seed {first} --runs {count}")
        other = "B" if side == "A" else "A"
        return f"To pair every replicate, run {side}'s scenario again on {other}'s seeds (`{command}`, with {side}'s other options)."


def _spans(seeds: tuple[int, ...]) -> str:
    """Seeds as runs of consecutive ones: "21–40", "3, 7–9"."""
    runs: list[list[int]] = []
    for s in sorted(seeds):
        if runs and s == runs[-1][-1] + 1:
            runs[-1].append(s)
        else:
            runs.append([s])
    return ", ".join(str(r[0]) if len(r) == 1 else f"{r[0]}–{r[-1]}" for r in runs)


def seeds_in_words(seeds: tuple[int, ...]) -> str:
    """"seed 7" or "seeds 3, 7–9": the seeds of some replicates, in the words every message names them with."""
    return f"seed{'s' * (len(seeds) != 1)} {_spans(seeds)}"


def pairing_of(a: Scorecard, b: Scorecard) -> SeedPairing:
    """The seeds of ``a``'s and ``b``'s replicates."""
    return SeedPairing(tuple(r.seed for r in a.results.runs), tuple(r.seed for r in b.results.runs))


def on_seeds(card: Scorecard, seeds: tuple[int, ...]) -> Scorecard:
    """``card``'s ensemble scored again on its replicates of ``seeds`` only (``card`` itself when those are all of
    them), against the same outcomes, and named as ``card``'s outcomes file was."""
    runs = sorted((r for r in card.results.runs if r.seed in set(seeds)), key=lambda r: r.seed)  # pairs by position
    if runs == card.results.runs:
        return card
    out = score(replace(card.results, runs=runs), [s.outcome for s in card.scores] + list(card.skipped))
    out.outcomes_file, out.outcomes_hash, out.outcomes_named = card.outcomes_file, card.outcomes_hash, card.outcomes_named
    return out
