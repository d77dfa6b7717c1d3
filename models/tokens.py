"""The token grammar of the streamdrz diarization model, in one place.

A chunk is described by a token sequence

    SOD (start end speaker)* EOS PAD*

where `start` and `end` are quantized chunk-relative time bins and `speaker` is a
chunk-local label. Labels 0..P-1 belong to the P prompted speakers in prompt order;
speakers heard in the chunk but not prompted take P, P+1, ... in order of first
appearance. Triples are sorted by (start, end, label), so starts are monotone.

The same grammar is enforced at decoding time by masking logits (`allowed_next`),
in Python here and in Java (streams-app, inference package) from the ids stored in
the ONNX metadata.
"""
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class TokenSpec:
    chunk_seconds: float = 8.0
    bin_seconds: float = 0.1
    max_speakers: int = 6      # chunk-local labels A..F
    max_segments: int = 20     # triples per chunk; longer lists are truncated

    # fixed special ids
    pad: int = 0
    eos: int = 1
    sod: int = 2

    @property
    def n_bins(self) -> int:          # bins 0..chunk/bin inclusive
        return int(round(self.chunk_seconds / self.bin_seconds)) + 1

    @property
    def time0(self) -> int:           # id of time bin 0
        return 3

    @property
    def spk0(self) -> int:            # id of speaker label 0
        return self.time0 + self.n_bins

    @property
    def vocab_size(self) -> int:
        return self.spk0 + self.max_speakers

    @property
    def max_len(self) -> int:         # SOD + triples + EOS
        return 2 + 3 * self.max_segments

    # ---- segments <-> tokens -------------------------------------------------

    def to_bin(self, seconds: float) -> int:
        return int(min(max(round(seconds / self.bin_seconds), 0), self.n_bins - 1))

    def encode(self, segments):
        """segments: iterable of (start_s, end_s, label), chunk-relative seconds.
        Returns the token list SOD ... EOS (no padding). Segments that vanish after
        quantization are dropped; labels must already follow the grammar."""
        triples = []
        for s, e, lab in segments:
            bs, be = self.to_bin(s), self.to_bin(e)
            if be <= bs:
                continue
            if not 0 <= lab < self.max_speakers:
                raise ValueError(f"label {lab} outside 0..{self.max_speakers - 1}")
            triples.append((bs, be, int(lab)))
        triples.sort()
        triples = triples[: self.max_segments]
        toks = [self.sod]
        for bs, be, lab in triples:
            toks += [self.time0 + bs, self.time0 + be, self.spk0 + lab]
        toks.append(self.eos)
        return toks

    def decode(self, tokens, probs=None):
        """Tokens (with or without SOD/EOS/PAD) -> list of (start_s, end_s, label, conf).
        Malformed triples are skipped; conf is the geometric mean of the triple's token
        probabilities when `probs` (same length as tokens) is given, else 1."""
        out = []
        toks = list(tokens)
        body = []
        for i, t in enumerate(toks):
            if t in (self.sod, self.pad):
                continue
            if t == self.eos:
                break
            body.append((t, probs[i] if probs is not None else 1.0))
        for j in range(0, len(body) - 2, 3):
            (a, pa), (b, pb), (c, pc) = body[j:j + 3]
            if not (self.is_time(a) and self.is_time(b) and self.is_speaker(c)):
                continue
            s, e = (a - self.time0) * self.bin_seconds, (b - self.time0) * self.bin_seconds
            if e <= s:
                continue
            conf = float(np.exp((np.log(max(pa, 1e-9)) + np.log(max(pb, 1e-9)) + np.log(max(pc, 1e-9))) / 3))
            out.append((round(s, 3), round(e, 3), c - self.spk0, conf))
        return out

    def is_time(self, t: int) -> bool:
        return self.time0 <= t < self.spk0

    def is_speaker(self, t: int) -> bool:
        return self.spk0 <= t < self.vocab_size

    # ---- grammar ---------------------------------------------------------------

    def greedy_pick(self, prefix, logits, n_prompted: int):
        """The allowed token with the highest logit after `prefix`, and its probability
        under the softmax restricted to the allowed tokens (what confidences are made of)."""
        mask = self.allowed_next(prefix, n_prompted)
        lp = np.where(mask, np.asarray(logits, dtype=np.float64), -np.inf)
        t = int(np.argmax(lp))
        return t, float(np.exp(lp[t] - np.logaddexp.reduce(lp[mask])))

    def allowed_next(self, prefix, n_prompted: int) -> np.ndarray:
        """Boolean mask over the vocabulary of tokens allowed after `prefix`
        (which starts with SOD). Rules:
          - position in triple 0 (start): a time bin >= the previous start, or EOS;
            when max_segments triples are complete, only EOS;
          - position 1 (end): a time bin > start;
          - position 2 (speaker): a label 0..next_new, where next_new is the first
            label not yet used (prompted labels count as used);
          - after EOS: PAD only."""
        mask = np.zeros(self.vocab_size, dtype=bool)
        body = [t for t in prefix if t != self.sod]
        if body and body[-1] in (self.eos, self.pad):
            mask[self.pad] = True
            return mask
        pos = len(body) % 3
        if pos == 0:
            mask[self.eos] = True
            if len(body) // 3 < self.max_segments:
                last_start = body[-3] - self.time0 if body else 0
                # a start in the last bin could never get an end > start
                mask[self.time0 + last_start: self.time0 + self.n_bins - 1] = True
        elif pos == 1:
            start = body[-1] - self.time0
            mask[self.time0 + start + 1: self.time0 + self.n_bins] = True
        else:
            used = {t - self.spk0 for t in body[2::3]}
            next_new = max([n_prompted - 1, *used], default=-1) + 1
            next_new = min(next_new, self.max_speakers - 1)
            mask[self.spk0: self.spk0 + next_new + 1] = True
        return mask
