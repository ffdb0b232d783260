"""What the corpus tests found, for the session's summary line and violations.json."""

from __future__ import annotations

import json
from collections import Counter
from typing import Dict, List, Tuple

from rw_session import Tally, violation_dict


class Report:
    def __init__(self):
        self.runs: List[Tuple[str, str, Tally, float]] = []

    def add(self, source: str, profile: str, tally: Tally, seconds: float) -> None:
        self.runs.append((source, profile, tally, seconds))

    def total(self) -> Tally:
        t = Tally()
        for _, _, tally, _ in self.runs:
            t.add(tally)
        return t

    def lines(self, mode: str) -> List[str]:
        t = self.total()
        kinds = Counter(v.kind for v in t.violations)
        files = sum(tally.files for s, p, tally, _ in self.runs if p == self.runs[0][1]) if self.runs else 0
        secs = sum(r[3] for r in self.runs)
        out = [
            f"realworld ({mode}): {files} files x {len({r[1] for r in self.runs})} profiles, "
            f"{t.places} places ({t.places_with_items} offered items), {t.items} items accepted, "
            f"{t.requests} other requests, "
            f"{t.skipped_files} file runs skipped, {secs:.0f} s; "
            f"violations: {len(t.violations)}" + (f" {dict(sorted(kinds.items()))}" if kinds else "")
        ]
        compile_kinds = Counter(v.place.get("kind", "?") for v in t.violations if v.kind in ("compile", "indent-unit"))
        if compile_kinds:
            out.append(f"realworld: compile/indent-unit violations by place: {dict(compile_kinds.most_common())}")
        for source, profile, tally, s in self.runs:
            k = Counter(v.kind for v in tally.violations)
            out.append(
                f"realworld:   {source:15} {profile:18} {tally.files:4} files {tally.places:6} places "
                f"{tally.items:6} items {s:6.1f} s  violations {len(tally.violations)}"
                + (f" {dict(sorted(k.items()))}" if k else "")
            )
        return out

    def as_json(self) -> Dict:
        t = self.total()
        return {
            "places_by_kind": dict(sorted(t.places_by_kind.items())),
            "runs": [
                {
                    "source": s,
                    "profile": p,
                    "files": tl.files,
                    "places": tl.places,
                    "places_with_items": tl.places_with_items,
                    "items": tl.items,
                    "seconds": round(sec, 1),
                    "violations": len(tl.violations),
                }
                for s, p, tl, sec in self.runs
            ],
            "violations": [violation_dict(v) for v in t.violations],
        }

    def write(self, path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.as_json(), indent=1, ensure_ascii=False))


REPORT = Report()
