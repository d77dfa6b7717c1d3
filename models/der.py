"""Diarization error rate (DER) and Jaccard error rate (JER), exact interval arithmetic.

Conventions (the same as `streamdrz eval`: docs/USAGE.md, "Scoring") and how they follow
NIST md-eval-22 (the scorer dscore wraps for DER) and dscore (for JER):

DER (md-eval-22, ``score_speaker_diarization``)
  * Time is cut into elementary intervals at every reference, hypothesis,
    scoring-region and collar boundary.  In each interval with duration d,
    N_ref / N_hyp active speakers and N_correct mapped (ref, hyp) pairs both
    active: scored speaker time += N_ref*d, missed += max(0, N_ref-N_hyp)*d,
    false alarm += max(0, N_hyp-N_ref)*d,
    confusion += (min(N_ref, N_hyp) - N_correct)*d.  Overlap is scored.
  * Speaker mapping: one-to-one, maximising total co-active time between a
    reference and a hypothesis speaker (Hungarian algorithm).  As in md-eval,
    the co-active time is measured over the whole evaluation region (UEM)
    WITHOUT collars, and the mapping is then used for scoring with collars.
    Only pairs with positive co-active time are kept in the mapping.
  * Collar c (md-eval ``-c c``): the zones [t-c, t+c] around every reference
    segment onset and offset t are removed from scoring.  Hypothesis
    boundaries get no collar.  (pyannote.metrics calls this collar=2c.)
  * Scoring region: an explicit UEM (several intervals per file allowed, as in
    md-eval).  Without one, the default is dscore's: from the earliest onset to
    the latest offset over reference AND hypothesis of that file
    (``default_region="union"``).  Plain md-eval without ``-u`` uses the
    reference extent only (``default_region="ref"``); hypothesis speech outside
    it is then not counted as false alarm.
  * Same-speaker segments that overlap are merged (dscore's merge_turns; md-eval
    itself refuses such input).  Touching same-speaker segments stay separate
    segments, so their common boundary still gets a collar, as in md-eval.
    Zero-length segments are ignored.
  * Files: totals are sums of times over files (md-eval's "ALL" line), so
    total DER = sum of errors / sum of scored reference speaker time.
    Files that have hypothesis but no reference entry are skipped, as md-eval
    does (a warning is printed by the command line).
  * A file with no scored reference speech has DER 0 if it has no error and
    1.0 (100 %) otherwise, dscore's convention.

JER (dscore ``metrics.jer``, DIHARD II)
  * Per reference speaker: 1 - |ref ∩ hyp| / |ref ∪ hyp| with its mapped hyp
    speaker; the mapping is one-to-one and minimises the sum of these
    per-speaker errors (Hungarian); unmapped reference speakers score 1.
    JER of a file is the mean over its reference speakers; the overall JER
    pools all reference speakers of all files (mean over speakers, not over
    files).  No collar.  Durations are restricted to the same scoring region
    as DER.  Edge cases as dscore: no ref and no hyp speech -> 0; exactly one
    of them empty -> 1.
  * dscore computes JER on 10 ms frames; this module is exact, so results can
    differ from dscore's in the last digits.

Differences from dscore kept on purpose: with an explicit UEM, dscore trims
turns to the UEM before calling md-eval, which creates reference boundaries
(and so collars) at the UEM edges; md-eval itself (and this module) keeps the
collars at the original reference boundaries.  md-eval prints times rounded to
10 ms and dscore computes DER from those printed numbers; this module does not
round.

Command line::

    python models/der.py --ref REF.rttm [REF2 ...] --hyp HYP.rttm [...] \
        [--uem U.uem] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import dataclass, field
from typing import Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

import numpy as np
from scipy.optimize import linear_sum_assignment

Segment = Tuple[float, float, str]
Interval = Tuple[float, float]

__all__ = [
    "Result",
    "JerResult",
    "read_rttm",
    "read_uem",
    "write_rttm",
    "score",
    "score_files",
    "jer",
    "jer_files",
    "main",
]

DEFAULT_COLLARS = (0.0, 0.25)


# --------------------------------------------------------------------------- #
# Reading
# --------------------------------------------------------------------------- #

def _lines(path_or_lines) -> Iterable[str]:
    if isinstance(path_or_lines, (str, os.PathLike)):
        with open(path_or_lines, "r", encoding="utf-8") as f:
            return f.read().splitlines()
    return path_or_lines


def _is_comment(line: str) -> bool:
    s = line.strip()
    return not s or s.startswith(";") or s.startswith("#")


def read_rttm(path_or_lines) -> Dict[str, List[Segment]]:
    """Read SPEAKER records of an RTTM file (a path) or of an iterable of lines.

    Returns {file_id: [(start, end, speaker), ...]} in file order.  Lines of
    other types (SPKR-INFO, LEXEME, ...) and comments (; or #) are skipped.
    """
    out: Dict[str, List[Segment]] = {}
    for n, line in enumerate(_lines(path_or_lines), 1):
        if _is_comment(line):
            continue
        f = line.split()
        if f[0].upper() != "SPEAKER":
            continue
        if len(f) < 8:
            raise ValueError(f"RTTM line {n}: expected at least 8 fields: {line!r}")
        start = float(f[3])
        dur = float(f[4])
        if dur < 0:
            raise ValueError(f"RTTM line {n}: negative duration: {line!r}")
        out.setdefault(f[1], []).append((start, start + dur, f[7]))
    return out


def read_uem(path_or_lines) -> Dict[str, List[Interval]]:
    """Read a UEM: lines ``<file> <channel> <start> <end>``.

    Returns {file_id: [(start, end), ...]} (several intervals per file allowed).
    The file field is used as written (no extension stripping).
    """
    out: Dict[str, List[Interval]] = {}
    for n, line in enumerate(_lines(path_or_lines), 1):
        if _is_comment(line):
            continue
        f = line.split()
        if len(f) < 4:
            raise ValueError(f"UEM line {n}: expected 4 fields: {line!r}")
        start, end = float(f[2]), float(f[3])
        if end <= start:
            raise ValueError(f"UEM line {n}: non-positive interval: {line!r}")
        out.setdefault(f[0], []).append((start, end))
    return out


def write_rttm(segments: Mapping[str, Sequence[Segment]], path) -> None:
    """Write {file_id: [(start, end, speaker)]} as RTTM SPEAKER lines."""
    with open(path, "w", encoding="utf-8") as f:
        for fid in segments:
            for s, e, spk in sorted(segments[fid]):
                f.write(f"SPEAKER {fid} 1 {s:.3f} {e - s:.3f} <NA> <NA> {spk} <NA> <NA>\n")


# --------------------------------------------------------------------------- #
# Interval helpers
# --------------------------------------------------------------------------- #

def _merge(intervals: Iterable[Interval], touching: bool = True) -> List[Interval]:
    """Union of intervals.  With touching=False, [a,b) and [b,c) stay apart."""
    out: List[List[float]] = []
    for s, e in sorted(intervals):
        if out and (s < out[-1][1] or (touching and s == out[-1][1])):
            out[-1][1] = max(out[-1][1], e)
        else:
            out.append([s, e])
    return [(s, e) for s, e in out]


def _subtract(region: List[Interval], holes: List[Interval]) -> List[Interval]:
    """region minus holes; both sorted and merged."""
    out: List[Interval] = []
    j = 0
    for s, e in region:
        cur = s
        while j < len(holes) and holes[j][1] <= cur:
            j += 1
        k = j
        while k < len(holes) and holes[k][0] < e:
            hs, he = holes[k]
            if hs > cur:
                out.append((cur, hs))
            cur = max(cur, he)
            if cur >= e:
                break
            k += 1
        if cur < e:
            out.append((cur, e))
    return out


def _t(x) -> float:
    return round(float(x), 9)


def _by_speaker(segments: Iterable[Segment]) -> Dict[str, List[Interval]]:
    """Group by speaker, drop zero-length segments, merge overlapping ones
    (strictly overlapping only: touching segments stay separate)."""
    spk: Dict[str, List[Interval]] = {}
    for s, e, name in segments:
        # Round to 1 ns: onset+duration in floating point leaves noise such as
        # 17.359 + 4.335 = 21.694000000000003, which would make touching
        # segments overlap (md-eval compares with a 1e-8 s tolerance).
        s, e = _t(s), _t(e)
        if e < s:
            raise ValueError(f"segment with end < start: {(s, e, name)}")
        if e > s:
            spk.setdefault(str(name), []).append((s, e))
    return {k: _merge(v, touching=False) for k, v in spk.items()}


def _region(ref: Dict[str, List[Interval]], hyp: Dict[str, List[Interval]],
            uem: Optional[Sequence[Interval]], default_region: str) -> List[Interval]:
    if uem is not None:
        return _merge([(_t(s), _t(e)) for s, e in uem if _t(e) > _t(s)])
    if default_region == "union":
        pools = list(ref.values()) + list(hyp.values())
    elif default_region == "ref":
        pools = list(ref.values())
    else:
        raise ValueError(f"default_region must be 'union' or 'ref', not {default_region!r}")
    segs = [iv for p in pools for iv in p]
    if not segs:
        return []
    return [(min(s for s, _ in segs), max(e for _, e in segs))]


class _Timeline:
    """Elementary intervals and per-speaker activity."""

    def __init__(self, ref: Dict[str, List[Interval]], hyp: Dict[str, List[Interval]],
                 extra: Iterable[float]):
        self.ref_names = sorted(ref)
        self.hyp_names = sorted(hyp)
        pts = [t for d in (ref, hyp) for v in d.values() for iv in v for t in iv]
        pts.extend(extra)
        b = np.unique(np.asarray(pts, dtype=np.float64))
        self.bounds = b
        self.dur = np.diff(b) if b.size > 1 else np.zeros(0)
        self.mid = (b[:-1] + b[1:]) / 2 if b.size > 1 else np.zeros(0)
        self.R = self._activity(ref, self.ref_names)
        self.H = self._activity(hyp, self.hyp_names)

    def _activity(self, d: Dict[str, List[Interval]], names: List[str]) -> np.ndarray:
        n = self.dur.size
        act = np.zeros((n + 1, len(names)), dtype=np.int32)
        for j, name in enumerate(names):
            iv = np.asarray(d[name], dtype=np.float64)
            i0 = np.searchsorted(self.bounds, iv[:, 0])
            i1 = np.searchsorted(self.bounds, iv[:, 1])
            np.add.at(act[:, j], i0, 1)
            np.add.at(act[:, j], i1, -1)
        return np.cumsum(act, axis=0)[:n] > 0

    def mask(self, region: List[Interval]) -> np.ndarray:
        """Elementary intervals inside the region (region bounds are in bounds)."""
        if not region or self.mid.size == 0:
            return np.zeros(self.mid.size, dtype=bool)
        r = np.asarray(region, dtype=np.float64)
        k = np.searchsorted(r[:, 0], self.mid, side="right") - 1
        ok = k >= 0
        inside = np.zeros(self.mid.size, dtype=bool)
        inside[ok] = self.mid[ok] < r[k[ok], 1]
        return inside


# --------------------------------------------------------------------------- #
# DER
# --------------------------------------------------------------------------- #

@dataclass
class Result:
    """DER components in seconds.  ``total`` is scored reference speaker time
    (overlapped speakers each count).  ``mapping`` maps ref -> hyp speaker."""

    missed: float = 0.0
    false_alarm: float = 0.0
    confusion: float = 0.0
    total: float = 0.0
    mapping: Dict[str, str] = field(default_factory=dict)
    scored_time: float = 0.0  # duration of the scored region itself
    collar: float = 0.0

    @property
    def errors(self) -> float:
        return self.missed + self.false_alarm + self.confusion

    @property
    def der(self) -> float:
        """Fraction (0.2639 means 26.39 %)."""
        if self.total > 0:
            return self.errors / self.total
        return 0.0 if self.errors <= 1e-12 else 1.0

    def __add__(self, other: "Result") -> "Result":
        return Result(self.missed + other.missed, self.false_alarm + other.false_alarm,
                      self.confusion + other.confusion, self.total + other.total, {},
                      self.scored_time + other.scored_time, self.collar)

    def as_dict(self) -> dict:
        return {"der": self.der, "missed": self.missed, "false_alarm": self.false_alarm,
                "confusion": self.confusion, "total": self.total,
                "scored_time": self.scored_time, "collar": self.collar,
                "mapping": dict(self.mapping)}


def _optimal_mapping(R: np.ndarray, H: np.ndarray, w: np.ndarray,
                     ref_names: List[str], hyp_names: List[str]) -> Dict[str, str]:
    if not ref_names or not hyp_names:
        return {}
    overlap = (R * w[:, None]).T.astype(np.float64) @ H.astype(np.float64)
    rows, cols = linear_sum_assignment(overlap, maximize=True)
    return {ref_names[i]: hyp_names[j] for i, j in zip(rows, cols) if overlap[i, j] > 0}


def score(ref_segments: Iterable[Segment], hyp_segments: Iterable[Segment],
          collar: float = 0.0, uem: Optional[Sequence[Interval]] = None,
          default_region: str = "union") -> Result:
    """Score one file.  Segments are (start, end, speaker) in seconds.

    collar: md-eval collar in seconds (0.25 -> +-0.25 s around each reference
    boundary is not scored).  uem: scoring intervals [(start, end), ...];
    None -> default region (see module docstring).
    """
    if collar < 0:
        raise ValueError("collar must be >= 0")
    ref = _by_speaker(ref_segments)
    hyp = _by_speaker(hyp_segments)
    region = _region(ref, hyp, uem, default_region)
    scored = region
    if collar > 0:
        holes = _merge([(t - collar, t + collar)
                        for v in ref.values() for iv in v for t in iv])
        scored = _subtract(region, holes)
    extra = [t for iv in region for t in iv] + [t for iv in scored for t in iv]
    tl = _Timeline(ref, hyp, extra)

    eval_mask = tl.mask(region)
    w_eval = np.where(eval_mask, tl.dur, 0.0)
    mapping = _optimal_mapping(tl.R, tl.H, w_eval, tl.ref_names, tl.hyp_names)

    score_mask = tl.mask(scored)
    d = np.where(score_mask, tl.dur, 0.0)
    n_ref = tl.R.sum(axis=1)
    n_hyp = tl.H.sum(axis=1)
    n_ok = np.zeros(d.size, dtype=np.int64)
    hyp_idx = {h: j for j, h in enumerate(tl.hyp_names)}
    for i, r in enumerate(tl.ref_names):
        if r in mapping:
            n_ok += tl.R[:, i] & tl.H[:, hyp_idx[mapping[r]]]
    return Result(
        missed=float(np.sum(np.maximum(n_ref - n_hyp, 0) * d)),
        false_alarm=float(np.sum(np.maximum(n_hyp - n_ref, 0) * d)),
        confusion=float(np.sum((np.minimum(n_ref, n_hyp) - n_ok) * d)),
        total=float(np.sum(n_ref * d)),
        mapping=mapping,
        scored_time=float(np.sum(d)),
        collar=float(collar),
    )


def score_files(ref_dict: Mapping[str, Sequence[Segment]],
                hyp_dict: Mapping[str, Sequence[Segment]],
                collar: float = 0.0,
                uem: Optional[Mapping[str, Sequence[Interval]]] = None,
                default_region: str = "union") -> Tuple[Dict[str, Result], Result]:
    """Score every file of the reference; returns (per_file, total).

    Total sums times over files (md-eval's ALL).  A file missing from the hyp
    is all missed; a file missing from the UEM gets the default region; files
    only in the hyp are skipped (md-eval behaviour).
    """
    per_file: Dict[str, Result] = {}
    total = Result(collar=float(collar))
    for fid in sorted(ref_dict):
        u = None if uem is None else uem.get(fid)
        r = score(ref_dict[fid], hyp_dict.get(fid, []), collar, u, default_region)
        per_file[fid] = r
        total = total + r
    return per_file, total


# --------------------------------------------------------------------------- #
# JER
# --------------------------------------------------------------------------- #

@dataclass
class JerResult:
    """Per-reference-speaker Jaccard errors (fractions) and the JER mapping."""

    speaker_errors: Dict[str, float] = field(default_factory=dict)
    mapping: Dict[str, str] = field(default_factory=dict)
    n_hyp_speakers: int = 0

    @property
    def jer(self) -> float:
        if self.speaker_errors:
            return float(np.mean(list(self.speaker_errors.values())))
        return 1.0 if self.n_hyp_speakers > 0 else 0.0

    def as_dict(self) -> dict:
        return {"jer": self.jer, "speaker_errors": dict(self.speaker_errors),
                "mapping": dict(self.mapping)}


def jer(ref: Iterable[Segment], hyp: Iterable[Segment],
        uem: Optional[Sequence[Interval]] = None,
        default_region: str = "union") -> JerResult:
    """Jaccard error rate of one file (dscore / DIHARD II definition)."""
    ref_s = _by_speaker(ref)
    hyp_s = _by_speaker(hyp)
    region = _region(ref_s, hyp_s, uem, default_region)
    tl = _Timeline(ref_s, hyp_s, [t for iv in region for t in iv])
    w = np.where(tl.mask(region), tl.dur, 0.0)
    ref_dur = (tl.R * w[:, None]).sum(axis=0)
    hyp_dur = (tl.H * w[:, None]).sum(axis=0)
    ref_keep = [i for i in range(len(tl.ref_names)) if ref_dur[i] > 0]
    hyp_keep = [j for j in range(len(tl.hyp_names)) if hyp_dur[j] > 0]
    res = JerResult(n_hyp_speakers=len(hyp_keep))
    if not ref_keep:
        return res
    res.speaker_errors = {tl.ref_names[i]: 1.0 for i in ref_keep}
    if not hyp_keep:
        return res
    R = tl.R[:, ref_keep].astype(np.float64)
    H = tl.H[:, hyp_keep].astype(np.float64)
    inter = (R * w[:, None]).T @ H
    union = ref_dur[ref_keep][:, None] + hyp_dur[hyp_keep][None, :] - inter
    cost = 1.0 - inter / union
    rows, cols = linear_sum_assignment(cost)
    for i, j in zip(rows, cols):
        rname, hname = tl.ref_names[ref_keep[i]], tl.hyp_names[hyp_keep[j]]
        res.speaker_errors[rname] = float(cost[i, j])
        res.mapping[rname] = hname
    return res


def jer_files(ref_dict: Mapping[str, Sequence[Segment]],
              hyp_dict: Mapping[str, Sequence[Segment]],
              uem: Optional[Mapping[str, Sequence[Interval]]] = None,
              default_region: str = "union") -> Tuple[Dict[str, JerResult], float]:
    """JER per file and overall (mean over all reference speakers of all files)."""
    per_file: Dict[str, JerResult] = {}
    errs: List[float] = []
    n_hyp = 0
    for fid in sorted(ref_dict):
        u = None if uem is None else uem.get(fid)
        r = jer(ref_dict[fid], hyp_dict.get(fid, []), u, default_region)
        per_file[fid] = r
        errs.extend(r.speaker_errors.values())
        n_hyp += r.n_hyp_speakers
    overall = float(np.mean(errs)) if errs else (1.0 if n_hyp else 0.0)
    return per_file, overall


# --------------------------------------------------------------------------- #
# Command line
# --------------------------------------------------------------------------- #

def _merge_dicts(paths: Sequence[str], reader) -> dict:
    out: dict = {}
    for p in paths:
        for k, v in reader(p).items():
            out.setdefault(k, []).extend(v)
    return out


def evaluate(ref_dict, hyp_dict, uem=None, collars=DEFAULT_COLLARS,
             default_region: str = "union") -> dict:
    """Everything the command line reports, as a JSON-friendly dict."""
    by_collar = {c: score_files(ref_dict, hyp_dict, c, uem, default_region) for c in collars}
    jer_pf, jer_all = jer_files(ref_dict, hyp_dict, uem, default_region)
    files = {}
    for fid in sorted(ref_dict):
        files[fid] = {
            "der": {f"{c:g}": by_collar[c][0][fid].as_dict() for c in collars},
            "jer": jer_pf[fid].as_dict(),
        }
    total = {"der": {f"{c:g}": by_collar[c][1].as_dict() for c in collars}, "jer": jer_all}
    return {"files": files, "total": total, "collars": list(collars),
            "default_region": default_region, "uem": uem is not None}


def _print_report(rep: dict, out=None) -> None:
    out = sys.stdout if out is None else out
    collars = rep["collars"]
    head = f"{'file':<24}"
    for c in collars:
        head += f" {'DER c' + format(c, 'g'):>9} {'miss':>7} {'FA':>7} {'conf':>7}"
    head += f" {'JER':>7} {'ref(s)':>9}"
    print(head, file=out)
    print("-" * len(head), file=out)

    def row(name, ders, jer_value):
        line = f"{name[:24]:<24}"
        for c in collars:
            d = ders[f"{c:g}"]
            t = d["total"] if d["total"] > 0 else float("nan")
            line += (f" {100 * d['der']:8.2f}% {100 * d['missed'] / t:6.2f}%"
                     f" {100 * d['false_alarm'] / t:6.2f}% {100 * d['confusion'] / t:6.2f}%")
        ref_total = ders[f"{collars[0]:g}"]["total"] if collars else float("nan")
        line += f" {100 * jer_value:6.2f}% {ref_total:9.2f}"
        print(line, file=out)

    for fid, f in rep["files"].items():
        row(fid, f["der"], f["jer"]["jer"])
    print("-" * len(head), file=out)
    row("*** TOTAL ***", rep["total"]["der"], rep["total"]["jer"])
    print("(miss/FA/conf are % of scored reference speaker time; ref(s) is that time at "
          f"collar {collars[0]:g})", file=out)


def main(argv: Optional[Sequence[str]] = None) -> int:
    ap = argparse.ArgumentParser(description="DER (md-eval-22 conventions) and JER (dscore).")
    ap.add_argument("--ref", nargs="+", required=True, help="reference RTTM file(s)")
    ap.add_argument("--hyp", nargs="+", required=True, help="hypothesis RTTM file(s)")
    ap.add_argument("--uem", nargs="+", default=None, help="UEM file(s) (scored regions)")
    ap.add_argument("--json", default=None, help="write the full report as JSON here")
    ap.add_argument("--collars", type=float, nargs="+", default=list(DEFAULT_COLLARS),
                    help="md-eval collars in seconds (default: 0 0.25)")
    ap.add_argument("--default-region", choices=["union", "ref"], default="union",
                    help="region without UEM: union = dscore (ref+hyp extent), "
                         "ref = plain md-eval (ref extent)")
    a = ap.parse_args(argv)
    ref = _merge_dicts(a.ref, read_rttm)
    hyp = _merge_dicts(a.hyp, read_rttm)
    uem = _merge_dicts(a.uem, read_uem) if a.uem else None
    for fid in sorted(set(hyp) - set(ref)):
        print(f"warning: file {fid!r} is in the hypothesis but not in the reference; "
              "not scored", file=sys.stderr)
    for fid in sorted(set(ref) - set(hyp)):
        print(f"warning: file {fid!r} has no hypothesis; all its speech counts as missed",
              file=sys.stderr)
    rep = evaluate(ref, hyp, uem, tuple(a.collars), a.default_region)
    _print_report(rep)
    if a.json:
        with open(a.json, "w", encoding="utf-8") as f:
            json.dump(rep, f, indent=1, sort_keys=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
