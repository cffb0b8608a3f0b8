"""Measure alternative jobs on profiles and postings, and write a sample to judge by hand.

For every profile it asks `recommender.alternatives.find_alternatives` for 5 alternatives of 5
postings each (what the portal asks for) and prints:

* the share of profiles with at least 3 alternatives that carry postings, and with at least 3
  that the portal's "Alternative jobs" tab shows with a posting of their own (the tab shows each
  posting once, under the first alternative that has it, even when it is also a match);
* the share of profiles for whom postings of other fields exist inside the commute area at all:
  postings of at least 1 (and of at least 3) ESCO occupations outside the person's own field.
  The target (at least 3 alternatives for 90 %) is measured on those with at least 3;
* what became of every occupation with postings the person could take (the screening's
  verdicts, counted over all profiles), and how many such postings have no known occupation.

`--sample N` profiles (fixed `--seed`) go to a markdown file with the CV's head, the person's
own field and each alternative (occupation, coverage, skills that transfer, skills to learn,
posting titles and distances). Example::

    .venv/bin/python scripts/alternatives_report.py --backend onnx \\
        --postings eval/postings.jsonl --profiles eval/profiles.jsonl --out /tmp/eval_sample.md

`--own-digits` and `--min-coverage` override the module's constants to compare settings.
"""

from __future__ import annotations

import argparse
import random
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from recommender import alternatives
from recommender.cli import _common, _load
from recommender.ranking import Recommender
from recommender.types import Alternative, Profile, SkillRef

K = 5  # alternatives asked for, as the portal does (ALTERNATIVES_KEPT)
PER_OCCUPATION = 5
TARGET = 3


@dataclass
class ProfileResult:
    """What one profile got, and what was possible for it."""

    profile: Profile
    own: alternatives.OwnField
    alternatives: list[Alternative]
    other_occupations: int  # occupations outside the own field with postings in the area
    fitting: int  # of those, candidates (at most MAX_PER_UNIT_GROUP per unit group)
    shown_in_tab: int  # alternatives with a posting no earlier alternative shows
    verdicts: Counter[str] = field(default_factory=Counter)
    unknown_postings: int = 0

    @property
    def with_postings(self) -> int:
        """Alternatives that carry at least one posting."""
        return sum(1 for a in self.alternatives if a.postings)


def evaluate(rec: Recommender, profile: Profile) -> ProfileResult:
    """Alternatives for one profile and the screening behind them."""
    ctx = rec.context(profile)
    own = alternatives.own_field(rec, ctx)
    skills = alternatives.experience_skills(rec, profile, ctx.skills)
    screened = alternatives.screen(rec, ctx, skills, own)
    found = alternatives.find_alternatives(rec, profile, k=K, per_occupation=PER_OCCUPATION)
    verdicts = Counter(screened.verdicts)
    picked = {a.occupation_uri for a in found}
    verdicts["candidate, not picked (k reached, unit group full, or no posting)"] = sum(
        1
        for o, v in zip(screened.occupations, screened.verdicts, strict=True)
        if v in (alternatives.CANDIDATE, alternatives.REACH) and rec.esco.occ_uris[o] not in picked
    )
    verdicts["picked"] = len(found)
    verdicts["  of which longer steps"] = sum(
        1
        for o, v in zip(screened.occupations, screened.verdicts, strict=True)
        if v == alternatives.REACH and rec.esco.occ_uris[o] in picked
    )
    del verdicts[alternatives.CANDIDATE], verdicts[alternatives.REACH]
    seen: set[str] = set()
    shown = 0
    for a in found:
        fresh = [r.posting_id for r in a.postings if r.posting_id not in seen]
        seen.update(fresh)
        shown += bool(fresh)
    own_verdicts = (alternatives.OWN_OCCUPATION, alternatives.OWN_FIELD)
    units = Counter(rec.esco.occ_isco[screened.occupations[i]] for i in screened.candidates())
    return ProfileResult(
        profile=profile,
        own=own,
        alternatives=found,
        other_occupations=sum(1 for v in screened.verdicts if v not in own_verdicts),
        fitting=sum(min(n, alternatives.MAX_PER_UNIT_GROUP) for n in units.values()),
        shown_in_tab=shown,
        verdicts=verdicts,
        unknown_postings=screened.unknown_postings,
    )


def _share(n: int, d: int) -> str:
    return f"{n}/{d} = {100 * n / d:.0f} %" if d else f"{n}/0"


def summary(results: list[ProfileResult]) -> list[str]:
    """The figures as printed lines."""
    n = len(results)
    possible1 = [r for r in results if r.other_occupations >= 1]
    possible3 = [r for r in results if r.other_occupations >= TARGET]
    fitting = [r for r in results if r.fitting >= TARGET]

    def got(rs: list[ProfileResult]) -> int:
        return sum(r.with_postings >= TARGET for r in rs)

    lines = [
        f"profiles: {n}",
        "postings of other fields inside the commute area: "
        f">=1 occupation {_share(len(possible1), n)}, "
        f">={TARGET} occupations {_share(len(possible3), n)}",
        f">={TARGET} alternatives with postings: all {_share(got(results), n)}; "
        f"where >={TARGET} other-field occupations exist (target 90 %) "
        f"{_share(got(possible3), len(possible3))}; where >={TARGET} of them pass the "
        f"plausibility threshold {_share(got(fitting), len(fitting))}",
        f">={TARGET} alternatives shown in the tab (each with a posting no earlier one shows): "
        f"{_share(sum(r.shown_in_tab >= TARGET for r in results), n)}; where possible "
        f"{_share(sum(r.shown_in_tab >= TARGET for r in possible3), len(possible3))}",
        f"empty tab: {_share(sum(r.shown_in_tab == 0 for r in results), n)}",
        "alternatives with postings per profile: "
        f"{sum(r.with_postings for r in results) / max(n, 1):.2f}",
        "occupations with postings in the area, by verdict (summed over profiles):",
    ]
    total: Counter[str] = Counter()
    for r in results:
        total.update(r.verdicts)
    lines += [f"  {count:6d}  {reason}" for reason, count in total.most_common()]
    lines.append(
        "postings in the area without a known occupation (cannot be alternatives yet): "
        f"{sum(r.unknown_postings for r in results)}"
    )
    return lines


def _labels(refs: list[SkillRef], n: int = 8) -> str:
    return "; ".join(s.label for s in refs[:n]) or "–"


def sample_markdown(rec: Recommender, results: list[ProfileResult], title: str) -> str:
    """The sampled profiles and their alternatives as markdown, for judging by hand."""
    out = [f"# Alternatives sample: {title}", ""]
    for r in results:
        p = r.profile
        own = sorted(
            rec.vocab.occ_da_label.get(o) or rec.esco.occ_labels[o] for o in r.own.occupations
        )
        out += [
            f"## {p.id}",
            "",
            f"- CV: {' '.join(p.summary.split())[:300]}",
            f"- work titles: {', '.join(p.work_titles) or '–'}; wished: "
            f"{', '.join(p.wished_titles) or '–'}",
            f"- own occupations: {', '.join(own) or '–'}; own ISCO: "
            f"{', '.join(sorted(r.own.isco_prefixes)) or '–'}",
            f"- postcode {p.postcode or '–'}, commute {p.commute_km or '–'} km; "
            f"other-field occupations with postings in the area: {r.other_occupations}",
            "",
        ]
        if not r.alternatives:
            out += ["(no alternatives)", ""]
        for n, a in enumerate(r.alternatives, start=1):
            postings = "; ".join(
                f"{x.title} ({x.explanation.distance_km:.0f} km)"
                if x.explanation.distance_km is not None
                else f"{x.title} (remote/unknown)"
                for x in a.postings
            )
            out += [
                f"{n}. **{a.label_da or a.label}** ({a.label}, ISCO {a.isco_code}), "
                f"coverage {a.coverage:.2f}",
                f"   - transfers: {_labels(a.transferable_skills)}",
                f"   - to learn: {_labels(a.skills_to_learn)}",
                f"   - postings: {postings or '–'}",
            ]
        out.append("")
    return "\n".join(out)


def main() -> None:
    """Parse arguments, measure, print, write the sample."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    _common(parser)
    parser.add_argument("--sample", type=int, default=50, help="profiles in the markdown sample")
    parser.add_argument("--seed", type=int, default=7, help="seed of the sample")
    parser.add_argument("--out", type=Path, default=None, help="markdown file for the sample")
    parser.add_argument("--own-digits", type=int, default=None, help="ISCO level of own field")
    parser.add_argument("--min-coverage", type=float, default=None, help="MIN_COVERAGE")
    args = parser.parse_args()
    if args.own_digits is not None:
        alternatives.OWN_FIELD_DIGITS = args.own_digits
    if args.min_coverage is not None:
        alternatives.MIN_COVERAGE = args.min_coverage
    rec, profiles, _, _ = _load(args)
    results = [evaluate(rec, p) for p in profiles]
    print("\n".join(summary(results)))
    if args.out:
        picked = random.Random(args.seed).sample(results, min(args.sample, len(results)))
        picked.sort(key=lambda r: r.profile.id)
        args.out.write_text(sample_markdown(rec, picked, args.profiles), encoding="utf-8")
        print(f"sample of {len(picked)} written to {args.out}")


if __name__ == "__main__":
    main()
