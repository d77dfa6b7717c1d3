"""How much would letting the call's own speech decide who is who gain? A probe, not a recipe.

    models/.venv/bin/python models/recluster.py --sets heldout-phone,fillets

The shipped model streams each file as evaluate_real.py does; its segments are then cut
into pieces of about 1 s (never across a chunk boundary), each piece is embedded by the
model's speaker_embedding (embedding_eval.model_embedder: its chunk alone, no prompts),
and the pieces are clustered again (average linkage, cosine distance), which replaces the
recipe's labels:
  stream        the recipe's own labels (what the app emits; with the voice bank of
                voicebank.py when the model's contract has one, as c6 on)
  count         the whole file at once, into the true number of speakers
  dist=D        the whole file at once, clusters cut at cosine distance D
  causal        chunk by chunk, as a live call could: at each chunk the call so far is
                clustered into as many clusters as the recipe has labels so far, at
                most two (a two-party call's speaker cap), and the chunk's pieces take
                the label that the earlier pieces of their cluster were given
  lag=L         each chunk's labels decided L chunks late, as a call whose final labels
                trail its live ones could: at chunk k the pieces of chunks up to k + L
                are clustered into as many clusters as there are labels among them and
                the earlier pieces (lag=L cap: at most two); one cluster per label by the
                seconds of earlier pieces in it (voicebank.assign_labels, the voice
                bank's own rule), and chunk k's pieces take their cluster's label. lag=0
                is the bank's rule with the whole call as its bank
DER in % at collar 0 / 0.25 and confusion at 0.25, pooled over each set's files.
Sets are realsets' names, or val-2spk, val-3spk and val-long: the recipe's validation calls
(select_checkpoint.tune_sets: 60 s two- and three-party calls, 600 s two-party calls),
where a value may be chosen.
--cepstral-weight W clusters every variant by (voice cosine + W x cepstral cosine) / (1 + W),
the cepstral statistics of each piece as the bank's (voicebank.cepstral_stats), standardized
over all the file's pieces (so the causal variants see the whole file's scale there).
"""
import argparse

import numpy as np
from scipy.cluster.hierarchy import fcluster, linkage

import embedding_eval
import realsets
import voicebank
from evaluate_real import model_diarizer, score
from export import OnnxDiarizer
from prompts import StreamingDiarizer
from voicebank import assign_labels

MIN_PIECE = 0.16        # seconds: two encoder frames, the least a mean embedding rests on


def pieces(segments, chunk_seconds, length=1.0):
    """(start, end, segment index) pieces of about `length` s of each segment, split at
    chunk boundaries first; pieces under MIN_PIECE dropped."""
    out = []
    for i, (s, e, _) in enumerate(segments):
        cuts = [s] + [k * chunk_seconds for k in range(int(s // chunk_seconds) + 1, int(np.ceil(e / chunk_seconds)))] + [e]
        for a, b in zip(cuts[:-1], cuts[1:]):
            n = max(1, int(round((b - a) / length)))
            out += [(a + (b - a) * j / n, a + (b - a) * (j + 1) / n, i) for j in range(n)]
    return [p for p in out if p[1] - p[0] >= MIN_PIECE]


def whole_file(X, n=None, distance=None):
    """Cluster ids of the rows of X: into n clusters, or cut at a cosine distance."""
    if len(X) < 2:
        return np.zeros(len(X), dtype=int)
    Z = linkage(X, method="average", metric="cosine")
    return fcluster(Z, t=n, criterion="maxclust") if n else fcluster(Z, t=distance, criterion="distance")


def causal(X, chunk_of, stream_labels, weights, cap=2):
    """Labels chunk by chunk: the pieces so far clustered into min(cap, labels the stream
    has given so far) clusters; a cluster's new pieces take the label its earlier pieces
    were given most (by weight), or, with no earlier pieces, the stream's most common
    label among them."""
    out = np.full(len(X), -1)
    for k in sorted(set(chunk_of)):
        idx = np.flatnonzero(chunk_of <= k)
        cur = chunk_of[idx] == k
        n = min(cap, len(set(stream_labels[idx])))
        cl = whole_file(X[idx], n=n)
        for c in set(cl[cur]):
            past = idx[(cl == c) & ~cur]
            if len(past):
                votes = np.bincount(out[past], weights=weights[past])
                label = int(votes.argmax())
            else:
                label = int(np.bincount(stream_labels[idx[(cl == c) & cur]]).argmax())
            out[idx[(cl == c) & cur]] = label
    return out


def lagged(X, chunk_of, stream_labels, weights, lag, cap=0):
    """Labels chunk by chunk, each chunk decided `lag` chunks late (see the module
    docstring); the first chunk keeps the stream's labels, as the bank leaves a call's
    first speech to the recipe."""
    out = np.array(stream_labels)
    n_labels = int(stream_labels.max()) + 1
    for k in sorted(set(chunk_of))[1:]:
        past, window = np.flatnonzero(chunk_of < k), np.flatnonzero((chunk_of >= k) & (chunk_of <= k + lag))
        idx = np.concatenate([past, window])
        n = len(set(out[past]) | set(stream_labels[window]))
        cl = whole_file(X[idx], n=min(n, cap) if cap else n)
        cl = cl - cl.min()
        new = np.arange(len(idx)) >= len(past)
        label_of = assign_labels(cl, out[idx], weights[idx], new, stream_labels[idx], n_labels)
        mine = chunk_of[window] == k
        out[window[mine]] = [label_of.get(c, lab) for c, lab in zip(cl[len(past):][mine], stream_labels[window[mine]])]
    return out


def fused(X, cepstra, weight):
    """Rows whose cosine is (voice cosine + weight x cepstral cosine) / (1 + weight): the unit
    voice rows beside the unit cepstral rows (each dimension standardized over the rows)."""
    C = np.asarray(cepstra, dtype=np.float64)
    C = (C - C.mean(0)) / (C.std(0) + 1e-6)
    unit = lambda M: M / np.maximum(np.linalg.norm(M, axis=1, keepdims=True), 1e-12)   # noqa: E731
    return np.concatenate([unit(X), np.sqrt(weight) * unit(C)], axis=1) / np.sqrt(1.0 + weight)


class StreamEmbeddings:
    """The voice embeddings the streaming pass itself gave, chunk by chunk (with its prompts):
    what an engine has at a call's end without running the encoder again. `run_chunks` wraps
    the model's and keeps them; `embed` is an embedding_eval embedder over the last call."""

    def __init__(self, model):
        self.model, self.chunks = model, []

    def run_chunks(self, inputs, n_prompted):
        outs = self.model.run_chunks(inputs, n_prompted)
        self.chunks += [o.embeddings for o in outs]
        return outs

    def embed(self, audio, windows):
        cfg = self.model.cfg
        out = []
        for a, b in windows:
            k = int((a + 1e-9) // cfg.chunk_seconds)
            frames = self.chunks[k][cfg.chunk_enc_start:]
            t = k * cfg.chunk_seconds + (np.arange(len(frames)) + 0.5) * cfg.enc_frame_seconds
            v = frames[(t >= a) & (t < b)].astype(np.float64).mean(0)
            out.append(v / (np.linalg.norm(v) or 1.0))
        return np.array(out)


def probe(model, items, distances=(0.5, 0.6, 0.7), lags=(0, 1, 2), cepstral_weight=0.0, stream_embeddings=False):
    """{variant: {file_id: segments}} for the variants of the module docstring."""
    embed = embedding_eval.model_embedder(model)
    C = model.cfg.chunk_seconds
    variants = ["stream", "count"] + [f"dist={d}" for d in distances] + ["causal"] + \
        [f"lag={L}{cap}" for L in lags for cap in ("", " cap")]
    out = {v: {} for v in variants}
    for fid, audio, ref in items:
        if stream_embeddings:
            kept = StreamEmbeddings(model)
            segs = [(s, e, lab) for s, e, lab, _ in
                    StreamingDiarizer(model.cfg, kept.run_chunks).diarize_many([audio])[0]]
            embed = kept.embed
        else:
            segs = model_diarizer(model)(audio)
        out["stream"][fid] = segs
        P = pieces(segs, C)
        if not P:
            for v in variants[1:]:
                out[v][fid] = []
            continue
        X = embed(audio, [(a, b) for a, b, _ in P])
        if cepstral_weight > 0:
            frames, centre = voicebank.cepstral_frames(model.cfg, audio)
            X = fused(X, [voicebank.cepstral_stats(frames, centre, a, b) / voicebank.CEPSTRAL_SCALE
                          for a, b, _ in P], cepstral_weight)
        relabel = lambda lab: [(a, b, int(x)) for (a, b, _), x in zip(P, lab)]   # noqa: E731
        out["count"][fid] = relabel(whole_file(X, n=len({s for _, _, s in ref})))
        for d in distances:
            out[f"dist={d}"][fid] = relabel(whole_file(X, distance=d))
        chunk_of = np.array([int((a + 1e-9) // C) for a, _, _ in P])
        labels = np.array([segs[i][2] for _, _, i in P])
        weights = np.array([b - a for a, b, _ in P])
        out["causal"][fid] = relabel(causal(X, chunk_of, labels, weights))
        for L in lags:
            out[f"lag={L}"][fid] = relabel(lagged(X, chunk_of, labels, weights, L))
            out[f"lag={L} cap"][fid] = relabel(lagged(X, chunk_of, labels, weights, L, cap=2))
    return out


def load_items(name):
    """(file_id, audio, reference) of a realsets set, or of the validation calls (val-2spk, val-3spk, val-long)."""
    if not name.startswith("val-"):
        return realsets.load_set(name)
    from select_checkpoint import LONG_SEEDS, tune_sets
    from train import TrainConfig
    calls = tune_sets(TrainConfig().corpus_dir, long_seeds=LONG_SEEDS if name == "val-long" else ())[name[4:]]
    return [(f"{name}-{i}", c.audio, list(c.segments)) for i, c in enumerate(calls)]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default="models/shipped/streamdrz")
    ap.add_argument("--sets", default="heldout-phone,fillets")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--cepstral-weight", type=float, default=0.0,
                    help="cluster by voice and cepstral statistics together (see above)")
    ap.add_argument("--stream-embeddings", action="store_true",
                    help="embed the pieces with the streaming pass's own embeddings (its prompts in context) rather "
                         "than each chunk run again alone")
    a = ap.parse_args()
    model = OnnxDiarizer(a.model, threads=a.threads)
    print(f"model {model.cfg.model_id}; cepstral weight {a.cepstral_weight}; "
          f"{'stream' if a.stream_embeddings else 'chunk-alone'} embeddings; DER % collar 0 / 0.25, confusion at 0.25")
    for name in a.sets.split(","):
        items = load_items(name)
        for variant, hyps in probe(model, items, cepstral_weight=a.cepstral_weight,
                                   stream_embeddings=a.stream_embeddings).items():
            r = score(items, hyps)
            print(f"{name:14s} {variant:10s} {100 * r['der_collar0']:5.1f} / {100 * r['der_collar025']:5.1f}   "
                  f"confusion {100 * r['confusion_collar025']:5.1f}", flush=True)


if __name__ == "__main__":
    main()
