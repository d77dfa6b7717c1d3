"""Chunks, speaker prompts and stitching: the streaming recipe, written once for Python.

The model sees a fixed layout: `prompt_slots` slots of `prompt_seconds` speech plus
`prompt_silence`, then one chunk of `chunk_seconds`. Slot i holds clean audio of the
speaker with chunk-local label i. Training builds this layout from synthetic calls
(`training_example`), evaluation and the Java engine build it from the model's own
earlier output (`StreamingDiarizer`). Both pick prompts the same way: the longest
region where only that speaker talks, centre-cropped to `prompt_seconds`; at inference a
region as long replaces the prompt later if it sounds more like the speaker's voice
profile (`StreamingDiarizer._more_typical`).
"""
from dataclasses import dataclass, field

import numpy as np

from model import ModelConfig
from vad import gate
from voicebank import final_labels, final_pieces, relabel


def clean_regions(segments, label, t0, t1):
    """Intervals within [t0, t1) where `label` speaks and nobody else does.
    segments: (start, end, label, ...) tuples in seconds."""
    own = sorted((max(s[0], t0), min(s[1], t1)) for s in segments if s[2] == label)
    others = sorted((s[0], s[1]) for s in segments if s[2] != label)
    out = []
    for a, b in own:
        if b <= a:
            continue
        pieces = [(a, b)]
        for oa, ob in others:
            nxt = []
            for pa, pb in pieces:
                if ob <= pa or oa >= pb:
                    nxt.append((pa, pb))
                    continue
                if oa > pa:
                    nxt.append((pa, oa))
                if ob < pb:
                    nxt.append((ob, pb))
            pieces = nxt
        out += [p for p in pieces if p[1] > p[0]]
    return out


def centre_crop(a, b, length):
    """Window of at most `length` seconds centred in [a, b]."""
    if b - a <= length:
        return a, b
    mid = (a + b) / 2
    return mid - length / 2, mid + length / 2


def build_input(cfg: ModelConfig, chunk, prompts, chunk_samples=None):
    """Fixed-layout model input: prompts (list of float32 arrays, at most prompt_slots,
    each cut to prompt_samples) in slots, then the chunk zero padded to chunk_samples
    (the model's chunk; a live window's is window_samples)."""
    chunk_samples = cfg.chunk_samples if chunk_samples is None else chunk_samples
    x = np.zeros(cfg.prompt_slots * cfg.slot_samples + chunk_samples, dtype=np.float32)
    for i, p in enumerate(prompts[: cfg.prompt_slots]):
        p = p[: cfg.prompt_samples]
        x[i * cfg.slot_samples: i * cfg.slot_samples + len(p)] = p
    c = chunk[: chunk_samples]
    off = cfg.prompt_slots * cfg.slot_samples
    x[off: off + len(c)] = c
    return x


def activity_targets(cfg: ModelConfig, segments):
    """(n_chunk_frames, max_speakers) 0/1 targets sampled at encoder frame centres."""
    n = cfg.n_enc - cfg.chunk_enc_start
    centres = (np.arange(n) + 0.5) * cfg.enc_frame_seconds
    y = np.zeros((n, cfg.max_speakers), dtype=np.float32)
    for s, e, lab in segments:
        if lab < cfg.max_speakers:
            y[(centres >= s) & (centres < e), lab] = 1.0
    return y


def activity_segments(cfg: ModelConfig, act):
    """The segments (start, end, label, confidence) a live window's activity logits
    (n_chunk_frames, max_speakers) give: each run of frames where a label's probability
    exceeds live_activity_threshold (the inverse of activity_targets)."""
    p = 1.0 / (1.0 + np.exp(-np.asarray(act, dtype=np.float64)))
    on = p > cfg.live_activity_threshold
    f = cfg.enc_frame_seconds
    out = []
    for k in range(on.shape[1]):
        edges = np.flatnonzero(np.diff(np.concatenate([[0], on[:, k].astype(np.int8), [0]])))
        for i, j in zip(edges[::2], edges[1::2]):
            out.append((i * f, j * f, k, float(p[i:j, k].mean())))
    return sorted(out, key=lambda x: (x[0], x[1]))


@dataclass
class Example:
    audio: np.ndarray        # (input_samples,) float32, the fixed layout
    tokens: list             # SOD ... EOS
    activity: np.ndarray     # (n_chunk_frames, max_speakers)
    n_prompted: int
    segments: list           # chunk-relative (start, end, label)
    chunk_start: float       # seconds into the call
    prompted: list           # call labels of the prompted speakers, slot order
    call_label_of: list      # chunk-local label -> call label
    prompt_lengths: list = field(default_factory=list)   # samples of prompt audio per slot


def training_example(cfg: ModelConfig, call, rng, p_first=0.25, p_no_prompt=0.1, p_drop=0.1):
    """One prompted chunk cut from a synthetic call (audio, segments labelled by first
    appearance in the call). Mirrors what StreamingDiarizer feeds the model."""
    sr, C = cfg.sample_rate, cfg.chunk_seconds
    dur = len(call.audio) / sr
    if dur <= C or rng.random() < p_first:
        c0 = 0.0
    else:
        c0 = round(float(rng.uniform(0.0, dur - C / 2)), 2)
    segs = [(s, e, lab) for s, e, lab in call.segments]

    # prompt candidates: speakers with a usable clean region before the chunk
    known = []
    for lab in sorted({l for _, _, l in segs}):
        regions = [r for r in clean_regions(segs, lab, 0.0, c0) if r[1] - r[0] >= cfg.prompt_min_seconds]
        if regions:
            known.append((lab, max(regions, key=lambda r: r[1] - r[0])))
    if rng.random() < p_no_prompt:
        known = []
    known = [k for k in known if rng.random() >= p_drop]
    if len(known) > cfg.prompt_slots:      # keep a random subset, still in label order
        keep = sorted(rng.choice(len(known), cfg.prompt_slots, replace=False))
        known = [known[i] for i in keep]

    prompts = []
    for _, (a, b) in known:
        # random crop position in training, centre crop at inference
        L = min(cfg.prompt_seconds, b - a)
        a = a + float(rng.random()) * max(0.0, b - a - L)
        prompts.append(call.audio[int(a * sr): int((a + L) * sr)])
    chunk = call.audio[int(c0 * sr): int((c0 + C) * sr)]

    # chunk-local labels: prompted speakers first (slot order), then first appearance
    local = {lab: i for i, (lab, _) in enumerate(known)}
    in_chunk = sorted((max(s, c0) - c0, min(e, c0 + C) - c0, lab)
                      for s, e, lab in segs if e > c0 and s < c0 + C)
    out = []
    for s, e, lab in in_chunk:
        if e - s < 0.05:
            continue
        if lab not in local:
            local[lab] = len(local)
        if local[lab] < cfg.max_speakers:
            out.append((s, e, local[lab]))
    tk = cfg.tokens
    return Example(audio=build_input(cfg, chunk, prompts), tokens=tk.encode(out),
                   activity=activity_targets(cfg, out), n_prompted=len(prompts), segments=out,
                   chunk_start=c0, prompted=[lab for lab, _ in known],
                   call_label_of=[lab for lab, _ in sorted(local.items(), key=lambda kv: kv[1])],
                   prompt_lengths=[min(len(p), cfg.prompt_samples) for p in prompts])


# ---------------------------------------------------------------------------------
# streaming inference over a whole call

@dataclass
class ChunkOutput:
    """What the model gives for one chunk."""
    segments: list                   # (start, end, chunk-local label, conf), chunk time
    embeddings: np.ndarray = None    # (n_enc, spk_dim) unit voice embedding per encoder frame
    speech: list = None              # [(start, end)] chunk seconds where the VAD hears speech; None: no gate


def _unit(v):
    n = float(np.linalg.norm(v))
    return v / n if n > 0 else v


def solo_frames(cfg: ModelConfig, segments):
    """Per label of `segments` (chunk time; (start, end, label, ...)), ascending, the chunk
    frames (centres at (k + 0.5) * frame) where it alone speaks; a label may have none."""
    n = cfg.n_enc - cfg.chunk_enc_start
    t = (np.arange(n) + 0.5) * cfg.enc_frame_seconds
    active = {}
    for s, e, lab, *_ in segments:
        active[lab] = active.get(lab, np.zeros(n, dtype=bool)) | ((t >= s) & (t < e))
    count = sum(a.astype(np.int32) for a in active.values()) if active else np.zeros(n, np.int32)
    return {lab: active[lab] & (count == 1) for lab in sorted(active)}


# "No such speaker" markers, the same values in CallDiarizer/VoiceMatcher.java:
NEW, STRANGER = -1, -2         # ChunkVoices.segment_slots: a new speaker's segment; one that sounds like no prompt
THIS_NEW, OTHER_NEW = -1, -2   # StreamingDiarizer._owners: segments of the would-be new speaker, of another


class ChunkVoices:
    """Who is who in one chunk's output, by voice. Built once per chunk from its segments
    (chunk time, chunk labels, clamped to the chunk), the samples of prompt audio in each
    slot, the encoder's unit voice embedding per frame and, per slot, the prompted
    speaker's voice profile (`SpeakerPrompt.voice`, or None); holds each label's embedding
    (mean over the chunk frames, centres at (k + 0.5) * frame, where it alone speaks, if
    there are at least `match_min_frames` of them) and each slot's: the mean over the
    frames that hold its prompt audio (the rest of a slot is silence), mixed with the unit
    profile by `profile_weight`. Why the profile: two seconds of prompt are a thin sample
    of a voice, and a call's later chunks are matched against all of that speaker's speech
    heard so far instead."""

    def __init__(self, cfg: ModelConfig, segments, prompt_samples, emb, profiles=None):
        self.cfg, self.segments, self.emb = cfg, segments, emb
        n = cfg.n_enc - cfg.chunk_enc_start
        t = (np.arange(n) + 0.5) * cfg.enc_frame_seconds
        self.spans = [(t >= s) & (t < e) for s, e, *_ in segments]
        self.active = {}                          # label -> frames where it speaks
        for (_, _, lab, *_), m in zip(segments, self.spans):
            self.active[lab] = self.active.get(lab, np.zeros(n, dtype=bool)) | m
        self.labels = {}                          # label -> (unit embedding, frames of its own)
        for lab, own in solo_frames(cfg, segments).items():
            if own.sum() >= cfg.match_min_frames:
                self.labels[lab] = (self._mean(own), int(own.sum()))
        step = 2 * cfg.stack * cfg.hop_length
        per_slot = cfg.slot_samples // step
        self.slots, self.prompt_voices = [], []
        for j, k in enumerate(prompt_samples):
            frames = max(1, min(per_slot, -(-min(k, cfg.prompt_samples) // step)))
            v = _unit(emb[j * per_slot: j * per_slot + frames].astype(np.float64).mean(0))
            self.prompt_voices.append(v)          # the prompt audio alone
            if profiles is not None and profiles[j] is not None:
                v = _unit((1.0 - cfg.profile_weight) * v + cfg.profile_weight * _unit(profiles[j]))
            self.slots.append(v)

    def region_voice(self, a, b):
        """Unit mean embedding of the chunk frames whose centre is in [a, b), None if none is."""
        n = self.cfg.n_enc - self.cfg.chunk_enc_start
        t = (np.arange(n) + 0.5) * self.cfg.enc_frame_seconds
        m = (t >= a) & (t < b)
        return self._mean(m) if m.any() else None

    def _mean(self, chunk_frames):
        return _unit(self.emb[self.cfg.chunk_enc_start:][chunk_frames].astype(np.float64).mean(0))

    def match_labels(self):
        """Chunk label -> prompt slot. Among the one-to-one assignments of labels to slots
        that only pair a label and a slot whose cosine similarity is at least
        `match_threshold`, the one with the largest sum of frames x cosine wins (so a long
        stretch of speech outweighs a short, noisier one; ties: the first found, labels
        ascending, slots ascending, "no slot" last). A label left over joins its most
        similar slot if the cosine is at least `merge_threshold`: the model splits one
        voice into two labels far more often than two callers sound alike. A label too
        short to compare keeps the model's own answer (label i < number of prompts is
        slot i). Labels left out are new speakers."""
        cfg, labs, slots = self.cfg, self.labels, self.slots
        order = sorted(labs)
        cos = {lab: [float(labs[lab][0] @ v) for v in slots] for lab in order}
        score = {(lab, j): labs[lab][1] * c for lab in order for j, c in enumerate(cos[lab])
                 if c >= cfg.match_threshold}
        best = [-1.0, {}]

        def search(i, used, total, chosen):
            if i == len(order):
                if total > best[0] + 1e-9:
                    best[0], best[1] = total, dict(chosen)
                return
            lab = order[i]
            for j in range(len(slots)):
                if j not in used and (lab, j) in score:
                    chosen[lab] = j
                    search(i + 1, used | {j}, total + score[(lab, j)], chosen)
                    del chosen[lab]
            search(i + 1, used, total, chosen)

        search(0, frozenset(), 0.0, {})
        out = best[1]
        for lab in order:
            if lab not in out and slots:
                j = int(np.argmax(cos[lab]))
                if cos[lab][j] >= cfg.merge_threshold:
                    out[lab] = j
        for lab in sorted(self.active):
            if lab not in labs and lab < len(slots):
                out[lab] = lab
        return out

    def segment_slots(self, slot_of):
        """Per segment, which prompt slot it belongs to, NEW for a new speaker's, or
        STRANGER. The labels decide who is new (`slot_of`, from match_labels); the voice
        decides which known speaker each segment is: a segment of a prompted label goes to
        the slot its own frames (inside it, where no other label speaks) are most similar
        to, if it has at least `match_min_frames` of them (else to its label's slot),
        unless even that similarity is below `stranger_threshold`: then it is someone the
        prompts do not hold. The model often gives two alternating voices one label;
        their prompts tell them apart."""
        out = []
        for (_, _, lab, *_), m in zip(self.segments, self.spans):
            if lab not in slot_of:
                out.append(NEW)
                continue
            own = m.copy()
            for other, a in self.active.items():
                if other != lab:
                    own &= ~a
            if own.sum() < self.cfg.match_min_frames:
                out.append(slot_of[lab])
                continue
            v = self._mean(own)
            cos = [float(v @ s) for s in self.slots]
            j = int(np.argmax(cos))
            out.append(j if cos[j] >= self.cfg.stranger_threshold else STRANGER)
        return out

    def merge_new_labels(self, slot_of):
        """Label -> the label it is the same new speaker as, for labels without a slot: in
        label order, a label joins the first earlier one of these whose voice it is the
        most similar to, if the cosine is at least `merge_threshold`, or
        `unprompted_merge_threshold` in a chunk without prompts (a call's first chunk).
        Why stricter there: with prompts, a leftover label is most often the model
        splitting a known voice; without them, two labels are most often two callers, and
        a wrong merge at a call's start puts both voices into the first speaker's prompt
        and voice profile, which every later chunk is matched against."""
        labs = self.labels
        threshold = self.cfg.merge_threshold if self.slots else self.cfg.unprompted_merge_threshold
        new = [lab for lab in sorted(labs) if lab not in slot_of]
        alias = {}
        for i, lab in enumerate(new):
            heads = [o for o in new[:i] if o not in alias]
            if not heads:
                continue
            cos = [float(labs[lab][0] @ labs[o][0]) for o in heads]
            j = int(np.argmax(cos))
            if cos[j] >= threshold:
                alias[lab] = heads[j]
        return alias


def fill_speech(cfg: ModelConfig, segments, speech, prompt_samples, emb):
    """`segments` (chunk time, chunk labels, sorted) plus a segment for each part of a
    speech region that no segment covers, if at least
    `fill_min_seconds` long: it goes to the chunk label whose voice (ChunkVoices) its mean
    frame embedding is most like, labels ascending, then the prompt slots that are no
    label yet; with no voice to compare, to label n_prompted (a new speaker). Why: the
    model misses quiet, distant and overlapped talk that the VAD hears, and a missed
    second counts as much as a wrong one. Needs embeddings; without them, no fill."""
    if emb is None:
        return segments
    voices = ChunkVoices(cfg, segments, prompt_samples, emb)
    cands = [(lab, v) for lab, (v, _) in sorted(voices.labels.items())]
    cands += [(j, v) for j, v in enumerate(voices.prompt_voices) if j not in voices.labels]
    out = list(segments)
    for a, b in uncovered(speech, segments):
        if b - a < cfg.fill_min_seconds:
            continue
        v = voices.region_voice(a, b)
        lab = len(prompt_samples)
        if v is not None and cands:
            cos = [float(v @ c) for _, c in cands]
            lab = cands[int(np.argmax(cos))][0]
        out.append((a, b, lab, 0.0))
    return sorted(out, key=lambda x: (x[0], x[1]))


def drop_nested(segments, share):
    """`segments` (start, end, label, ...) in their order, without those that have at least
    `share` of their length inside longer segments of other labels that stay (decided
    longest first, so of two segments that overlap each other the longer stays). Why: on
    real voices the decoder puts short segments of a second label inside one speaker's
    turn, each a false alarm and a voice sample of the wrong speaker. ModelConfig.nested_share;
    above 1 keeps all, as the shipped model does (models/select_nested.py, EXPERIMENTS.md)."""
    if share > 1.0:
        return list(segments)
    order = sorted(range(len(segments)), key=lambda i: (-(segments[i][1] - segments[i][0]), i))
    kept = []
    for i in order:
        s, e, lab = segments[i][0], segments[i][1], segments[i][2]
        others = [segments[j] for j in kept if segments[j][2] != lab]
        free = sum(b - a for a, b in uncovered([(s, e)], others))
        if e <= s or (e - s) - free < share * (e - s):
            kept.append(i)
    return [segments[i] for i in sorted(kept)]


def uncovered(regions, segments):
    """The parts of `regions` [(a, b)] that no segment (start, end, ...) overlaps."""
    spans = sorted((s, e) for s, e, *_ in segments)
    out = []
    for a, b in regions:
        cur = a
        for s, e in spans:
            if e <= cur or s >= b:
                continue
            if s > cur:
                out.append((cur, s))
            cur = max(cur, e)
        if cur < b:
            out.append((cur, b))
    return out


def refine_by_voice(cfg: ModelConfig, st, segs, emb):
    """Segments (chunk time, call labels, sorted) with each frame where one speaker alone
    talks given to the speaker present in the chunk whose voice it sounds most like. Why:
    the model often runs two voices into one segment (a turn change it missed), and a
    segment-level decision cannot split it; the frame embeddings tell the voices apart far
    better. The voices: each present speaker's voice profile
    once it holds cfg.profile_min_frames; speakers without one then keep their frames and take
    none, since a voice sampled in one chunk would pull others' frames to a new label. In
    a chunk where no present speaker has a profile yet (a call's start), the speakers' own
    means over their solo frames, re-estimated after each of cfg.refine_iterations passes (two
    steps of k-means from the model's labels): the first chunk's prompts and profiles come
    from these frames. A run of fewer than cfg.refine_min_run frames of another voice inside
    a segment keeps the segment's label. A segment splits where its frames change speaker,
    at frame edges (k * enc_frame_seconds)."""
    n = cfg.n_enc - cfg.chunk_enc_start
    fs = cfg.enc_frame_seconds
    t = (np.arange(n) + 0.5) * fs
    solo = solo_frames(cfg, segs)
    if len(solo) < 2:
        return segs
    labs = list(solo)
    owner = np.full(n, -1)                       # the label index speaking alone at frame k, or -1
    for i, lab in enumerate(labs):
        owner[solo[lab]] = i
    frames = emb[cfg.chunk_enc_start:].astype(np.float64)
    profiled = [st.prompts.get(lab) is not None and st.prompts[lab].voice is not None
                and st.prompts[lab].voice_frames >= cfg.profile_min_frames for lab in labs]
    if any(profiled):
        voices = [_unit(st.prompts[lab].voice) if p else None for lab, p in zip(labs, profiled)]
    else:
        voices = [_unit(frames[owner == i].mean(0)) if (owner == i).any() else None for i in range(len(labs))]
    movable = np.isin(owner, [i for i, v in enumerate(voices) if v is not None])
    if sum(v is not None for v in voices) < 2:
        return segs
    assign = owner.copy()
    for _ in range(cfg.refine_iterations):
        cos = np.full((n, len(labs)), -np.inf)
        for i, v in enumerate(voices):
            if v is not None:
                cos[:, i] = frames @ v
        assign = np.where(movable, cos.argmax(1), owner)
        if not any(profiled):
            voices = [_unit(frames[movable & (assign == i)].mean(0)) if (movable & (assign == i)).any() else v
                      for i, v in enumerate(voices)]
    k = 0
    while k < n:       # short runs of another voice go back to the segment's label
        j = k + 1
        while j < n and movable[j] and movable[k] and assign[j] == assign[k] and owner[j] == owner[k]:
            j += 1
        if movable[k] and assign[k] != owner[k] and j - k < cfg.refine_min_run:
            assign[k:j] = owner[k:j]
        k = j
    out = []
    for s, e, lab, conf in segs:
        start, cur = s, lab
        for k in np.flatnonzero((t >= s) & (t < e)):
            who = labs[assign[k]] if movable[k] else lab
            if who != cur:
                b = max(start, min(e, k * fs))
                if b > start:
                    out.append((start, b, cur, conf))
                start, cur = b, who
        if e > start:
            out.append((start, e, cur, conf))
    return sorted(out, key=lambda x: (x[0], x[1]))


@dataclass
class SpeakerPrompt:
    label: int               # call-level label (0 = A)
    audio: np.ndarray
    clean_seconds: float
    last_chunk: int
    voice: np.ndarray = None     # voice profile: sum of the speaker's unit frame embeddings since the prompt
    voice_frames: int = 0        # frames in that sum


@dataclass
class CallState:
    """What a streaming diarizer keeps per call between chunks (the Java state stores
    hold the same): known speakers' prompts and the segments so far."""
    prompts: dict = field(default_factory=dict)       # call label -> SpeakerPrompt
    n_labels: int = 0
    chunk_index: int = 0
    segments: list = field(default_factory=list)      # (start, end, call label, conf)
    bank: list = field(default_factory=list)          # voicebank.BankPiece, oldest first


class StreamingDiarizer:
    """Chunk a call, prompt with known speakers, map chunk labels to call labels,
    refresh prompts, stitch. `run_chunks(inputs, n_prompted)` runs the model on a batch
    of fixed-layout inputs and returns a ChunkOutput per input. With the VAD's speech
    regions, segments that reach no speech are dropped and uncovered speech is given to
    the closest chunk voice (`vad.gate`, `fill_speech`) first. With voice embeddings
    (ChunkVoices), chunk labels go to prompted speakers by `match_labels`, each segment of
    theirs to the prompted voice it sounds like (`segment_slots`), and labels left over
    that sound alike become one new speaker (`merge_new_labels`); without embeddings, the model's own
    labels decide (label i < number of prompts is prompt i). New speakers take new call
    labels, unless the call already has `speaker_cap` of them (`_closest_known`)."""

    def __init__(self, cfg: ModelConfig, run_chunks, speaker_cap=0):
        """speaker_cap > 0: the call has at most this many speakers (a two-party phone
        call: 2), so once that many call labels are out, a voice that would be a new
        speaker is the known speaker it sounds most like (`_closest_known`) instead.
        (Not cfg.max_speakers: that is the model's vocabulary of chunk labels.)"""
        self.cfg, self.run_chunks, self.speaker_cap = cfg, run_chunks, speaker_cap

    def choose_prompts(self, st: CallState):
        """Up to prompt_slots known speakers, most recently active first, in label order."""
        ps = sorted(st.prompts.values(), key=lambda p: (-p.last_chunk, p.label))[: self.cfg.prompt_slots]
        return sorted(ps, key=lambda p: p.label)

    def prepare(self, st: CallState, chunk):
        prompts = self.choose_prompts(st)
        return build_input(self.cfg, chunk, [p.audio for p in prompts]), prompts

    def absorb(self, st: CallState, chunk, prompts, out: ChunkOutput):
        """Map local labels, update prompts and stitch one chunk's output into `st`: the
        steps below in order, each the twin of the CallDiarizer.java method of that name."""
        chunk_len = len(chunk) / self.cfg.sample_rate
        local = drop_nested(self._clamp(out.segments, chunk_len), self.cfg.nested_share)
        local = self._gate(local, out, prompts, chunk_len)
        voices, seg_slot, alias = self._match(local, prompts, out.embeddings)
        segs = self._label(st, local, prompts, voices, seg_slot, alias)
        if out.embeddings is not None:
            segs = refine_by_voice(self.cfg, st, segs, out.embeddings)
        if out.embeddings is not None and self.cfg.recluster_pieces > 0:
            segs, st.bank = relabel(self.cfg, st.bank, segs, out.embeddings, st.n_labels, self.speaker_cap,
                                   chunk)
        self._refresh_prompts(st, chunk, segs, prompts, voices)
        if out.embeddings is not None:
            self._grow_voices(st, segs, out.embeddings)
        self._stitch(st, segs)

    @staticmethod
    def _clamp(segments, chunk_len):
        """The decoded segments sorted by start then end, cut at the chunk's audio end."""
        local = []
        for s, e, lab, conf in sorted(segments, key=lambda x: (x[0], x[1])):
            s, e = min(s, chunk_len), min(e, chunk_len)
            if e > s:
                local.append((s, e, lab, conf))
        return local

    def _gate(self, local, out: ChunkOutput, prompts, chunk_len):
        """With the VAD's speech regions: segments that reach no speech dropped, speech no
        segment covers given to the closest chunk voice (`vad.gate`, `fill_speech`)."""
        if out.speech is None:
            return local
        # the VAD ran on the zero-padded chunk: its last region may reach past the call's end
        speech = [(a, min(b, chunk_len)) for a, b in out.speech if a < chunk_len]
        return fill_speech(self.cfg, gate(local, speech), speech, [len(p.audio) for p in prompts], out.embeddings)

    def _match(self, local, prompts, emb):
        """(voices, prompt slot per segment or NEW or STRANGER, new label -> the new label
        it is the same voice as). Without embeddings the model's labels decide."""
        if emb is None:
            return None, [lab if lab < len(prompts) else NEW for _, _, lab, _ in local], {}
        voices = ChunkVoices(self.cfg, local, [len(p.audio) for p in prompts], emb, [p.voice for p in prompts])
        slot_of = voices.match_labels()
        return voices, voices.segment_slots(slot_of), voices.merge_new_labels(slot_of)

    def _label(self, st: CallState, local, prompts, voices, seg_slot, alias):
        """The segments in call labels: a prompted speaker's slot gives their label; a new
        voice takes the label of a speaker without a prompt yet (never heard alone for
        long enough, so not recognisable by voice), else a new label, else, in a full
        call, the known speaker it sounds like (`_closest_known`)."""
        unprompted = [lab for lab in range(st.n_labels) if lab not in st.prompts]
        new = {}
        segs = []
        for (s, e, lab, conf), j in zip(local, seg_slot):
            if j >= 0:
                segs.append((s, e, prompts[j].label, conf))
                continue
            lab = STRANGER if j == STRANGER else alias.get(lab, lab)
            if lab not in new:
                if unprompted:
                    new[lab] = unprompted.pop(0)
                elif 0 < self.speaker_cap <= st.n_labels:
                    owners = self._owners(segs, local, seg_slot, prompts, alias, lab)
                    new[lab] = self._closest_known(st, prompts, voices, local, owners)
                else:
                    new[lab] = st.n_labels
                    st.n_labels += 1
            segs.append((s, e, new[lab], conf))
        return segs

    def _refresh_prompts(self, st: CallState, chunk, segs, prompts, voices):
        """For each speaker heard: the longest region where only they talk, edges trimmed,
        long enough and centre-cropped, replaces their prompt if it is longer, or as long
        and more typical of their voice (`_more_typical`)."""
        cfg = self.cfg
        sr, chunk_len = cfg.sample_rate, len(chunk) / cfg.sample_rate
        for lab in {s[2] for s in segs}:
            regions = [(a + cfg.prompt_edge_seconds, b - cfg.prompt_edge_seconds)
                       for a, b in clean_regions(segs, lab, 0.0, chunk_len)]
            regions = [r for r in regions if r[1] - r[0] >= cfg.prompt_min_seconds]
            old = st.prompts.get(lab)
            if old is not None:
                old.last_chunk = st.chunk_index
            if not regions:
                continue
            a, b = max(regions, key=lambda r: r[1] - r[0])
            a, b = centre_crop(a, b, cfg.prompt_seconds)
            if old is None or b - a > old.clean_seconds + 1e-6 or self._more_typical(old, a, b, prompts, voices):
                st.prompts[lab] = SpeakerPrompt(lab, chunk[int(a * sr): int(b * sr)].copy(), b - a, st.chunk_index,
                                                old.voice if old else None, old.voice_frames if old else 0)

    def _stitch(self, st: CallState, segs):
        """The chunk's segments into call time, joined to the call's segments; next chunk."""
        t0 = st.chunk_index * self.cfg.chunk_seconds
        for s, e, lab, conf in segs:
            self._append(st, (t0 + s, t0 + e, lab, conf), self.cfg.join_gap)
        st.chunk_index += 1

    @staticmethod
    def _owners(segs, local, seg_slot, prompts, alias, key):
        """Per segment of `local`: its call label where known (given so far, or a prompted
        speaker's), THIS_NEW where it is the would-be new speaker `key`, OTHER_NEW for
        another new one."""
        out = [s[2] for s in segs]
        for (_, _, lab, _), j in zip(local[len(segs):], seg_slot[len(segs):]):
            if j >= 0:
                out.append(prompts[j].label)
            else:
                out.append(THIS_NEW if (STRANGER if j == STRANGER else alias.get(lab, lab)) == key else OTHER_NEW)
        return out

    def _closest_known(self, st: CallState, prompts, voices, local, owner):
        """The known call label a would-be new speaker is when the call is full
        (speaker_cap); `owner` from `_owners`. The voice of the new speaker's segments
        (mean over the frames where only they speak, at least `match_min_frames`) goes to
        the known speaker it is most like: their unit voice profile, else their prompt's
        voice in this chunk, else their own frames in this chunk (ties: lowest label).
        Without a voice to compare (no embeddings, too few frames): the lowest known
        speaker who does not speak in this chunk, else speaker 0. Why: a further label in
        a two-party call is the model or the matching losing one of the two voices, and
        the voice says which."""
        labels = range(st.n_labels)
        solo = {} if voices is None else \
            solo_frames(self.cfg, [(s, e, o) for (s, e, *_), o in zip(local, owner)])

        def voice(o):
            m = solo.get(o)
            return voices._mean(m) if m is not None and m.sum() >= self.cfg.match_min_frames else None

        own, best, best_cos = voice(THIS_NEW), None, -np.inf
        for lab in labels if own is not None else ():
            p = st.prompts.get(lab)
            j = next((i for i, q in enumerate(prompts) if q.label == lab), None)
            v = _unit(p.voice) if p is not None and p.voice is not None else \
                voices.prompt_voices[j] if j is not None else voice(lab)
            if v is not None and float(own @ v) > best_cos + 1e-12:
                best, best_cos = lab, float(own @ v)
        if best is not None:
            return best
        return next((lab for lab in labels if lab not in owner), 0)

    def _more_typical(self, old, a, b, prompts, voices):
        """Whether the clean region [a, b) of this chunk, as long as the speaker's prompt,
        sounds more like their voice profile than the prompt does (both compared in this
        chunk's encoding, so the speaker must have been prompted in it; the profile must
        hold profile_min_frames). Why: a prompt is the first long clean region the
        speaker was given, and if that was partly another voice, it would stay for good
        and pull that voice to the wrong label in every later chunk."""
        if voices is None or old.voice is None or old.voice_frames < self.cfg.profile_min_frames:
            return False
        if b - a < old.clean_seconds - 1e-6:
            return False
        slot = next((j for j, p in enumerate(prompts) if p.label == old.label), None)
        cand = voices.region_voice(a, b)
        if slot is None or cand is None:
            return False
        profile = _unit(old.voice)
        return float(cand @ profile) > float(voices.prompt_voices[slot] @ profile)

    def _grow_voices(self, st: CallState, segs, emb):
        """Adds to each prompted speaker's voice profile the chunk frames where they alone
        speak (call labels now, so two chunk labels of one voice count as one), if there
        are at least `match_min_frames` of them."""
        cfg = self.cfg
        chunk_emb = emb[cfg.chunk_enc_start:].astype(np.float64)
        for lab, own in solo_frames(cfg, segs).items():
            p = st.prompts.get(lab)
            if p is None or own.sum() < cfg.match_min_frames:
                continue
            add = chunk_emb[own].sum(0)
            p.voice = add if p.voice is None else p.voice + add
            p.voice_frames += int(own.sum())

    @staticmethod
    def _append(st: CallState, seg, join_gap):
        # merge with the same speaker's last segment when the gap is short: the model
        # splits turns at short pauses that references (and listeners) do not count
        for i in range(len(st.segments) - 1, -1, -1):
            s, e, lab, conf = st.segments[i]
            if lab == seg[2]:
                if seg[0] - e <= join_gap and seg[0] >= s:
                    st.segments[i] = (s, max(e, seg[1]), lab, min(conf, seg[3]))
                    return
                break
        st.segments.append(seg)

    def diarize_many(self, calls, final=False):
        """calls: list of float32 arrays. Chunks of different calls are batched, one
        chunk per call per step, as the streams app does. Returns per-call segments
        (start, end, call label, conf), times in seconds from the call's start. final: the
        labels of whole files, decided once more at each call's end (voicebank.final_labels,
        as streamdrz diarize does) when the model's final.relabel says so; else the live ones."""
        final = final and self.cfg.final_relabel == "labels"
        streamed = self.stream_many(calls, keep_pieces=final)
        if final:
            return [self.final_labels(segs, pieces) for segs, pieces in streamed]
        return [segs for segs, _ in streamed]

    def final_labels(self, segments, pieces):
        """A streamed call's segments with the labels decided once more at its end
        (voicebank.final_labels), from its pieces (stream_many)."""
        return final_labels(self.cfg, segments, pieces)

    def stream_many(self, calls, keep_pieces=False):
        """[(segments, pieces)] per call: diarize_many's live pass; with keep_pieces, the
        final pass's pieces of each chunk, cut right after the chunk was stitched
        (voicebank.final_pieces, with their cepstral statistics), else an empty list."""
        cfg = self.cfg
        pieces = [[] for _ in calls]
        states = [CallState() for _ in calls]
        n_chunks = [max(1, int(np.ceil(len(a) / cfg.chunk_samples))) for a in calls]
        for k in range(max(n_chunks)):
            active = [i for i in range(len(calls)) if k < n_chunks[i]]
            chunks, inputs, prompts = {}, [], []
            for i in active:
                chunks[i] = calls[i][k * cfg.chunk_samples: (k + 1) * cfg.chunk_samples]
                x, p = self.prepare(states[i], chunks[i])
                inputs.append(x)
                prompts.append(p)
            outs = self.run_chunks(np.stack(inputs), [len(p) for p in prompts])
            for i, p, out in zip(active, prompts, outs):
                self.absorb(states[i], chunks[i], p, out)
                if keep_pieces and out.embeddings is not None:
                    pieces[i] += final_pieces(cfg, states[i].segments, k, out.embeddings[cfg.chunk_enc_start:],
                                              chunks[i])
        return [(st.segments, f) for st, f in zip(states, pieces)]
