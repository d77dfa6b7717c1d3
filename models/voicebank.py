"""A call's voice bank: its own speech, clustered again at every chunk, decides who is who.

The decoder and the prompt matching label each chunk from what the chunk and a few
seconds of prompt audio hold. A voice the model never met is easy to confuse with the
other party on so little. The bank keeps the voice embedding of every piece of about
`recluster_piece_seconds` the call has given a label (the newest `recluster_pieces` of
them), and at each chunk clusters the bank and the chunk's new pieces together into as
many clusters as the call has speakers (at most the speaker cap), and on while the two
closest are nearer than cfg.recluster_merge_distance (a voice the recipe took for two
speakers is one again). Each cluster keeps the label its earlier pieces were given most,
one cluster per label; the chunk's pieces take their cluster's label. Where the recipe
gave a piece a label the bank holds no piece of (a new speaker, or one silent for longer
than the bank remembers), cfg.recluster_new_speakers says who decides: "bank" clusters
it like the rest once the bank holds any piece (a new voice forms a cluster of its own
that no earlier label claims, and keeps the stream's label), "stream" keeps the recipe's
label. Labels already given never change, so this stays causal: nothing emitted is
revised. With cfg.recluster_cepstral_weight W > 0 each piece also keeps its cepstral
statistics, and two pieces' distance is (voice + W x cepstral cosine distance) / (1 + W)
(off in the shipped model: models/EXPERIMENTS.md).

Written once for Python; VoiceBank.java is its twin, decision for decision.
"""
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

MIN_PIECE = 0.16        # seconds: two encoder frames, the least a mean embedding rests on
NEW_SPEAKERS = ("stream", "bank")    # the values of ModelConfig.recluster_new_speakers
FINAL_RELABEL = ("none", "labels")   # the values of ModelConfig.final_relabel
FINAL_MAX_PIECES = 4096  # final_labels clusters at most this many units (a 128 MB distance matrix);
                         # a longer call's neighbouring pieces are joined


CEPSTRA = (1, 20)       # c1..c19 of the log-mel frames: what the cepstral statistics describe
CEPSTRAL_SCALE = 256.0  # a piece's statistics kept as int16, value x 256 (|values| stay under 50)


@dataclass
class BankPiece:
    embedding: np.ndarray    # unit voice embedding (spk_dim,) as int8, value / 127 (quantize)
    seconds: float           # the piece's length: its weight when labels are voted
    label: int               # the call label it was given
    cepstra: np.ndarray = None   # int16 (38,): mean and deviation of c1..c19 over the piece, x 256
                                 # (cepstral_stats); None when the model's bank has no cepstral weight


def quantize(v):
    """A unit embedding as int8 (floor(127 v + 0.5)): a quarter of the bytes in the call's
    stored state, and a cosine within about 0.01 of the float one."""
    return np.clip(np.floor(127.0 * np.asarray(v, dtype=np.float64) + 0.5), -127, 127).astype(np.int8)


def pieces(segments, length):
    """(start, end, segment index) pieces of each segment (chunk time): the segment cut
    into round(length_of_segment / length) equal parts, at least one; parts shorter than
    MIN_PIECE are left out (their segment keeps its label there)."""
    out = []
    for i, (s, e, *_) in enumerate(segments):
        n = max(1, int(np.floor((e - s) / length + 0.5)))
        out += [(s + (e - s) * j / n, s + (e - s) * (j + 1) / n, i) for j in range(n)]
    return [p for p in out if p[1] - p[0] >= MIN_PIECE]


def distances(bank, fresh):
    """Cosine distances of the bank's pieces (BankPiece) and the fresh unit rows, bank rows
    first (with no bank, of the rows alone). Between two bank pieces the dot product of their int8 values is an exact
    integer, so those distances, nearly all of a full bank's, are the Java twin's bit for
    bit."""
    F = np.asarray(fresh, dtype=np.float64)
    if not bank:
        return 1.0 - F @ F.T
    Q = np.array([p.embedding for p in bank], dtype=np.int64)
    cross = 1.0 - (Q / 127.0) @ F.T
    return np.block([[1.0 - (Q @ Q.T) / (127.0 * 127.0), cross], [cross.T, 1.0 - F @ F.T]])


_FRONT = {}       # the last config's log-mel front end: built once, not per chunk


def cepstral_frames(cfg, chunk):
    """(T, 19) c1..c19 (DCT-II, orthonormal) of the chunk's log-mel frames (the model's own
    front end) and each frame's centre in chunk seconds."""
    import torch
    from scipy.fft import dct
    from model import MelFrontend
    if _FRONT.get("cfg") is not cfg:
        _FRONT.update(cfg=cfg, front=MelFrontend(cfg))
    with torch.no_grad():
        mel = _FRONT["front"](torch.from_numpy(np.asarray(chunk, dtype=np.float32))[None])[0].double().numpy()
    c = dct(mel, type=2, norm="ortho", axis=1)[:, CEPSTRA[0]: CEPSTRA[1]]
    centre = (np.arange(len(c)) * cfg.hop_length + cfg.win_length / 2) / cfg.sample_rate
    return c, centre


def cepstral_stats(frames, centre, a, b):
    """int16 (38,): mean and deviation of the cepstral frames centred in [a, b), x 256 and
    rounded (floor(256 v + 0.5)): exact in the Java twin and half the bytes of floats in
    the call's stored state."""
    m = frames[(centre >= a) & (centre < b)]
    v = np.concatenate([m.mean(0), m.std(0)]) if len(m) else np.zeros(2 * frames.shape[1])
    return np.clip(np.floor(CEPSTRAL_SCALE * v + 0.5), -32767, 32767).astype(np.int16)


def cepstral_distances(rows):
    """Cosine distances of cepstral statistics (cepstral_stats' int16 rows), each dimension
    standardized over these rows first: a call's raw cepstral means mostly describe its
    channel, what differs between its pieces is what tells its voices apart."""
    X = cepstral_units(rows)
    return 1.0 - X @ X.T


def cepstral_units(rows):
    """The rows of cepstral statistics standardized over the rows, each dimension, and
    made unit: what cepstral_distances compares."""
    X = np.asarray(rows, dtype=np.float64) / CEPSTRAL_SCALE
    X = (X - X.mean(0)) / (X.std(0) + 1e-6)
    return X / np.maximum(np.linalg.norm(X, axis=1, keepdims=True), 1e-12)


def average_linkage(D, n, merge_distance=0.0):
    """Cluster index per row of D (cosine distances, as `distances` gives; copied, not
    changed): agglomerative, average linkage, merged until n clusters are left, then on
    while the closest two are nearer than merge_distance. Ties go to the first pair in
    row order; clusters are numbered by their first row. Written out (not scipy) so that
    the Java twin makes the same merges."""
    D = np.array(D, dtype=np.float64)
    m = len(D)
    if m == 0:
        return np.zeros(0, dtype=int)
    np.fill_diagonal(D, np.inf)
    size = np.ones(m)
    alive = np.ones(m, dtype=bool)
    owner = np.arange(m)
    for left in range(m, 1, -1):
        masked = np.where(alive[:, None] & alive[None, :], D, np.inf)
        upper = np.triu(masked, 1) + np.tril(np.full((m, m), np.inf))
        k = int(np.argmin(upper))
        if not np.isfinite(upper.flat[k]):
            break                                   # only non-finite distances left
        if left <= max(n, 1) and upper.flat[k] >= merge_distance:
            break
        i, j = divmod(k, m)
        # Lance-Williams update for average linkage: j joins i
        D[i, :] = (size[i] * D[i, :] + size[j] * D[j, :]) / (size[i] + size[j])
        D[:, i] = D[i, :]
        D[i, i] = np.inf
        size[i] += size[j]
        alive[j] = False
        owner[owner == j] = i
    firsts = sorted(set(owner.tolist()))
    return np.array([firsts.index(o) for o in owner])


def assign_labels(cluster, labels, seconds, new, stream_labels, n_labels):
    """Label per cluster. labels/seconds: per bank row (labels of new rows ignored); new:
    which rows are this chunk's. Greedy on the seconds each cluster's earlier pieces hold
    of each label, the largest first (ties: lowest cluster, then lowest label), one
    cluster per label; a cluster left without one takes the label the stream gave most of
    its new pieces if no cluster has it, else the lowest label not taken (there is always
    one: there are no more clusters than labels)."""
    k = int(cluster.max()) + 1
    votes = np.zeros((k, n_labels))
    for c, lab, w, is_new in zip(cluster, labels, seconds, new):
        if not is_new and 0 <= lab < n_labels:
            votes[c, lab] += w
    out = _greedy(votes)
    for c in range(k):
        if c in out:
            continue
        mine = [(lab, w) for cc, lab, w, is_new in zip(cluster, stream_labels, seconds, new) if is_new and cc == c]
        if not mine:
            continue
        tally = {}
        for lab, w in mine:
            tally[lab] = tally.get(lab, 0.0) + w
        want = min(tally, key=lambda lab: (-tally[lab], lab))
        out[c] = want if want not in out.values() else next(lab for lab in range(n_labels) if lab not in out.values())
    return out


def _greedy(votes):
    """{cluster: label} of votes (clusters x labels, seconds): the largest first (ties: lowest
    cluster, then lowest label), one cluster per label, only where a cluster holds any."""
    k, n = votes.shape
    out = {}
    while True:
        free = np.array([[c not in out and lab not in out.values() for lab in range(n)] for c in range(k)])
        v = np.where(free, votes, 0.0)
        if v.max() <= 0:
            return out
        c, lab = divmod(int(np.argmax(v)), n)
        out[c] = lab


def relabel(cfg, bank, segs, emb, n_labels, speaker_cap=0, chunk=None):
    """(segments, bank): the chunk's segments (chunk time, call labels, (s, e, label, conf),
    sorted) relabelled piece by piece by clustering `bank` with their pieces, and the bank
    with those pieces added and trimmed to the newest cfg.recluster_pieces. emb: the
    chunk's unit voice embedding per encoder frame (prompt frames first); chunk: its audio,
    for the cepstral statistics when cfg.recluster_cepstral_weight > 0."""
    P = pieces(segs, cfg.recluster_piece_seconds)
    frames = emb[cfg.chunk_enc_start:].astype(np.float64)
    t = (np.arange(len(frames)) + 0.5) * cfg.enc_frame_seconds
    rows = []
    for a, b, i in P:
        m = (t >= a) & (t < b)
        if m.any():
            v = frames[m].mean(0)
            rows.append((a, b, i, v / (np.linalg.norm(v) or 1.0)))
    if not rows:
        return segs, bank
    n = min(speaker_cap, n_labels) if speaker_cap > 0 else n_labels
    D, cep = distances(bank, [r[3] for r in rows]), [None] * len(rows)
    w = cfg.recluster_cepstral_weight
    if w > 0 and chunk is not None:
        frames, centre = cepstral_frames(cfg, chunk)
        cep = [cepstral_stats(frames, centre, a, b) for a, b, _, _ in rows]
        if all(p.cepstra is not None for p in bank):
            D = (D + w * cepstral_distances([p.cepstra for p in bank] + cep)) / (1.0 + w)
    cluster = average_linkage(D, n, cfg.recluster_merge_distance)
    new = np.array([False] * len(bank) + [True] * len(rows))
    seconds = [p.seconds for p in bank] + [b - a for a, b, _, _ in rows]
    labels = [p.label for p in bank] + [-1] * len(rows)
    stream = [-1] * len(bank) + [segs[i][2] for _, _, i, _ in rows]
    label_of = assign_labels(cluster, labels, seconds, new, stream, n_labels)
    # "stream": a speaker the bank has no piece of (new in this chunk, or silent for a long
    # time) is the recipe's to decide, since the bank has no piece of them to compare with.
    # "bank": the bank decides them too, once it holds anything: an empty bank (the call's
    # first speech) knows nothing the chunk's own voice refinement did not
    judged = set(stream) if cfg.recluster_new_speakers == "bank" and bank else {p.label for p in bank}
    piece_label = [label_of[c] if lab in judged else lab for c, lab in zip(cluster[len(bank):], stream[len(bank):])]
    out = _split(segs, [(a, b, i) for a, b, i, _ in rows], piece_label)
    added = [BankPiece(quantize(r[3]), r[1] - r[0], lab, c) for r, lab, c in zip(rows, piece_label, cep)]
    keep = (list(bank) + added)[-cfg.recluster_pieces:]
    return out, keep


def _split(segs, rows, piece_label):
    """Each segment cut where its pieces' labels change; where it has no piece, its own label."""
    out = []
    for i, (s, e, lab, conf) in enumerate(segs):
        mine = [(a, b, L) for (a, b, j), L in zip(rows, piece_label) if j == i]
        if not mine:
            out.append((s, e, lab, conf))
            continue
        start, cur = s, mine[0][2]
        for a, _, L in mine[1:]:
            if L != cur:
                out.append((start, a, cur, conf))
                start, cur = a, L
        out.append((start, e, cur, conf))
    return sorted(out, key=lambda x: (x[0], x[1]))


class FinalPiece(NamedTuple):
    """A piece of a call's speech as the final pass clusters it (final_pieces)."""
    start: float             # call seconds
    end: float
    label: int               # the live label of its segment
    voice: np.ndarray        # float32 (spk_dim,): unit mean of its chunk's frames over the piece
    cepstra: np.ndarray      # int16 (38,) cepstral_stats over the piece, or None without the audio


def final_pieces(cfg, segments, k, frames, chunk=None):
    """Chunk k's pieces for the final pass, cut right after the stream stitched chunk k:
    each of the call's segments (call time, (s, e, label, conf)) clipped to chunk k, cut
    into pieces (`pieces`), each with the unit mean of the chunk's frames over it (frames:
    the chunk's unit voice embedding per chunk encoder frame) and, given the chunk's audio,
    its cepstral_stats. Why chunk by chunk: the streams app keeps a call's pieces in a
    store as its chunks go by, and cannot keep its audio or frames until the call ends."""
    C, F = cfg.chunk_seconds, cfg.enc_frame_seconds
    t0, t1 = k * C, (k + 1) * C
    clipped = [(max(s, t0), min(e, t1), lab) for s, e, lab, _ in segments if s < t1 and e > t0]
    t = t0 + (np.arange(len(frames)) + 0.5) * F
    cep = cepstral_frames(cfg, chunk) if chunk is not None else None
    rows = []
    for a, b, i in pieces(clipped, cfg.recluster_piece_seconds):
        m = (t >= a) & (t < b)
        if m.any():
            v = np.asarray(frames, dtype=np.float64)[m].mean(0)
            voice = (v / (np.linalg.norm(v) or 1.0)).astype(np.float32)
            rows.append(FinalPiece(a, b, clipped[i][2], voice,
                                   None if cep is None else cepstral_stats(cep[0], cep[1], a - t0, b - t0)))
    return rows


def final_labels(cfg, segments, rows, merge_distance=None):
    """A whole call's segments (call time, (s, e, label, conf), as the stream gave them)
    relabelled once the call has ended, from its pieces (final_pieces of every chunk, in
    chunk order): the pieces are clustered (average linkage) into as many clusters as the
    call has live labels; each cluster takes, greedily by seconds, the live label its
    pieces hold most, one cluster per label, and a cluster left over the lowest label not
    yet used; each segment is cut where its pieces' labels change, and the labels are
    numbered again in order of first appearance. Two pieces' distance is their cosine
    distance, or with cfg.final_cepstral_weight W > 0 and every piece's cepstra
    (voice + W x cepstral) / (1 + W), the cepstral one of their cepstral_stats standardized
    over all the call's pieces. Why: the live labels were decided on the call so far; at
    its end all of it is heard, and the whole call's clusters are the better labels
    (models/EXPERIMENTS.md). A piece belongs to the first segment of its label that holds
    its middle. A call of more than FINAL_MAX_PIECES pieces is clustered by neighbouring
    pieces joined in twos (their mean voice and statistics) until few enough.
    Below the count of live labels the two closest clusters go on merging while nearer
    than cfg.final_merge_distance (merge_distance, if given, instead: final_eval.py
    --merges), so that one voice the stream gave two labels becomes one again."""
    if len(rows) < 2:
        return list(segments)
    group = _final_groups(len(rows))
    n_groups = int(group[-1]) + 1
    voices = np.zeros((n_groups, len(rows[0].voice)))
    np.add.at(voices, group, np.array([r.voice for r in rows], dtype=np.float64))
    voices /= np.maximum(np.linalg.norm(voices, axis=1, keepdims=True), 1e-12)
    D, w = distances([], voices), cfg.final_cepstral_weight
    if w > 0 and all(r.cepstra is not None for r in rows):
        D = (D + w * cepstral_distances(_group_cepstra(rows, group, n_groups))) / (1.0 + w)
    n_live = len({lab for _, _, lab, _ in segments})
    cluster = average_linkage(D, n_live, cfg.final_merge_distance if merge_distance is None else merge_distance)[group]
    label_of = _greedy_labels(cluster, [r.label for r in rows], [r.end - r.start for r in rows])
    placed = [(r.start, r.end, _segment_of(segments, r)) for r in rows]
    out = _split(segments, placed, [label_of[c] for c in cluster])
    first = {}                   # labels renumbered in order of first appearance, as the live ones are
    for _, _, lab, _ in out:
        first.setdefault(lab, len(first))
    return [(s, e, first[lab], conf) for s, e, lab, conf in out]


def _final_groups(n):
    """Clustering unit per piece: the piece itself, or while there are more than
    FINAL_MAX_PIECES units, neighbours joined in twos."""
    shift = 0
    while (n + (1 << shift) - 1) >> shift > FINAL_MAX_PIECES:
        shift += 1
    return np.arange(n) >> shift


def _group_cepstra(rows, group, n_groups):
    """Each unit's cepstral statistics: the mean of its pieces', rounded as cepstral_stats rounds."""
    total = np.zeros((n_groups, len(rows[0].cepstra)))
    np.add.at(total, group, np.array([r.cepstra for r in rows], dtype=np.float64))
    return np.floor(total / np.bincount(group)[:, None] + 0.5).astype(np.int16)


def _segment_of(segments, piece):
    """Index of the first segment of the piece's label that holds its middle; -1 if none."""
    mid = (piece.start + piece.end) / 2
    return next((i for i, (s, e, lab, _) in enumerate(segments) if lab == piece.label and s <= mid < e), -1)


def _greedy_labels(cluster, labels, seconds):
    """{cluster: label}: greedily by the seconds each cluster holds of each label, the
    largest first (ties: lowest cluster, then lowest label), one cluster per label; the
    clusters left take the lowest labels no cluster has, in cluster order."""
    k, n = int(cluster.max()) + 1, max(labels) + 1
    votes = np.zeros((k, n))
    for c, lab, w in zip(cluster, labels, seconds):
        votes[c, lab] += w
    out = _greedy(votes)
    spare = (lab for lab in range(n + k) if lab not in out.values())
    for c in range(k):
        if c not in out:
            out[c] = next(spare)
    return out
