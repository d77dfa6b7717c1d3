"""Does a voice embedding tell real voices apart? Pairwise EER and clustering error.

    from embedding_eval import evaluate_embedder, model_embedder, mfcc_embedder
    res = evaluate_embedder(items, model_embedder(OnnxDiarizer("models/shipped/streamdrz")))

items: (file_id, audio 16 kHz, reference [(start, end, speaker)]), as realsets gives.
In each file, the regions where exactly one reference speaker talks for at least 1 s are
cut into 1 s windows (never across a chunk boundary, k * chunk_seconds, so the model sees
each window inside one chunk), and each window is embedded. Reported, pooled over files:
  eer            equal error rate of cosine scores, same- vs different-speaker pairs of
                 windows of one file (the decision diarization has to make: speakers are
                 only compared within a call)
  eer_95         its 95 % interval when the files are drawn again with replacement
  cluster_error  share of windows mislabelled when each file's windows are clustered
                 (average linkage, cosine) into its true number of speakers, under the
                 optimal one-to-one label mapping
  one_cluster_error  the same for a clustering that puts every window of a file in one
                 cluster: what cluster_error is worth when one speaker dominates a file
An embedder is any callable embed(audio, windows) -> (n_windows, dim) array, windows
[(start, end)] in seconds: `model_embedder` (the exported speaker_embedding), `mfcc_embedder`
(the classical floor's features) and `final_embedder` (the voice distance the final pass of
streamdrz diarize clusters by).
"""

import numpy as np
from scipy.optimize import linear_sum_assignment

import baseline
from prompts import build_input, _unit

SR = 16000
CHUNK_SECONDS = 8.0        # the shipped model's chunk; windows never straddle one


def solo_regions(ref):
    """[(start, end, speaker)] where exactly one reference speaker is active."""
    edges = sorted({t for s, e, _ in ref for t in (s, e)})
    out = []
    for a, b in zip(edges[:-1], edges[1:]):
        who = {spk for s, e, spk in ref if s <= a and e >= b}
        if len(who) != 1:
            continue
        spk = who.pop()
        if out and out[-1][2] == spk and abs(out[-1][1] - a) < 1e-9:
            out[-1] = (out[-1][0], b, spk)          # the same speaker continues
        else:
            out.append((a, b, spk))
    return out


def windows_of(ref, duration, length=1.0, min_region=1.0, chunk_seconds=CHUNK_SECONDS):
    """[(start, end, speaker)] windows of `length` s cut from the solo regions of at least
    `min_region` s, each region first split at the chunk boundaries."""
    out = []
    for a, b, spk in solo_regions(ref):
        if b - a < min_region:
            continue
        b = min(b, duration)
        cuts = [a] + [k * chunk_seconds for k in range(int(a // chunk_seconds) + 1, int(np.ceil(b / chunk_seconds)))] + [b]
        for s, e in zip(cuts[:-1], cuts[1:]):
            n = int((e - s + 1e-9) // length)
            out += [(s + i * length, s + (i + 1) * length, spk) for i in range(n)]
    return out


# ---------------------------------------------------------------------------------
# embedders

def model_embedder(model, batch=8):
    """Windows embedded by the exported model (export.OnnxDiarizer): each chunk of the
    call (k * chunk_seconds, as StreamingDiarizer cuts it) runs alone, with no prompts,
    through the encoder only; a window's embedding is the unit mean of the unit
    `speaker_embedding` frames whose centres ((j + 0.5) * frame) are in it, as
    prompts.ChunkVoices averages a label's frames."""
    cfg = model.cfg

    def embed(audio, windows):
        C = cfg.chunk_seconds
        ks = sorted({int((a + 1e-9) // C) for a, _ in windows})
        emb = {}
        for i in range(0, len(ks), batch):
            part = ks[i: i + batch]
            x = np.stack([build_input(cfg, audio[int(k * C * SR): int((k + 1) * C * SR)], []) for k in part])
            _, _, e = model.encode(model.features(x))
            emb.update({k: e[j, cfg.chunk_enc_start:] for j, k in enumerate(part)})
        out = []
        for a, b in windows:
            k = int((a + 1e-9) // C)
            t = k * C + (np.arange(emb[k].shape[0]) + 0.5) * cfg.enc_frame_seconds
            out.append(_unit(emb[k][(t >= a) & (t < b)].astype(np.float64).mean(0)))
        return np.array(out)
    return embed


def final_embedder(model):
    """The windows as the final pass of a whole file compares its pieces
    (voicebank.final_labels): with W = the model's final_cepstral_weight, the unit
    model_embedder row u and the unit row c of the window's cepstral statistics
    (voicebank.cepstral_stats over its chunk's frames, standardized over the file's
    windows) give [u, sqrt(W) c] / sqrt(1 + W), whose cosine is exactly the pass's
    (u.u' + W c.c') / (1 + W). With W = 0 it is model_embedder."""
    import voicebank
    cfg, voice = model.cfg, model_embedder(model)
    w = cfg.final_cepstral_weight

    def embed(audio, windows):
        u = voice(audio, windows)
        if w <= 0:
            return u
        C, cs, rows, frames = cfg.chunk_seconds, cfg.chunk_samples, [], {}
        for a, b in windows:
            k = int((a + 1e-9) // C)
            if k not in frames:
                frames = {k: voicebank.cepstral_frames(cfg, audio[k * cs: (k + 1) * cs])}
            c, centre = frames[k]
            rows.append(voicebank.cepstral_stats(c, centre, a - k * C, b - k * C))
        return np.concatenate([u, np.sqrt(w) * voicebank.cepstral_units(rows)], axis=1) / np.sqrt(1.0 + w)
    return embed


def torch_embedder(cfg, embed):
    """model_embedder for PyTorch: embed(mel feats (B, T, n_mels)) -> unit frame embeddings
    (B, S, E), a diarizer's (diarizer_embedder) or a voice network's, so that checkpoints
    are compared on the same windows before one is exported."""
    import torch
    from model import MelFrontend
    front = MelFrontend(cfg)

    class Encoder:
        @staticmethod
        def features(x):
            return torch.from_numpy(x)

        @staticmethod
        @torch.no_grad()
        def encode(audio):
            return None, None, embed(front(audio)).float().numpy()
    Encoder.cfg = cfg
    return model_embedder(Encoder)


def diarizer_embedder(model):
    """torch_embedder of a model.Diarizer's own speaker_embedding."""
    model.eval()
    return torch_embedder(model.cfg, lambda feats: model.speaker_embeddings(model.encode(feats)[0], feats))


def mfcc_embedder():
    """Windows embedded as baseline.py does: mean and std of 20 MFCCs over the window,
    standardized over the file's windows (no VAD: the windows are speech already)."""
    def embed(audio, windows):
        feats = baseline.mfcc(np.asarray(audio, dtype=np.float64), SR)
        h = baseline.HOP_SECONDS
        frames = [(int(round(a / h)), max(int(round(a / h)) + 1, int(round(b / h)))) for a, b in windows]
        return baseline.standardize(baseline.window_stats(feats, frames))
    return embed


# ---------------------------------------------------------------------------------
# measures

def pair_scores(E, speakers):
    """Cosine scores of all window pairs i < j and whether they are one speaker."""
    U = E / (np.linalg.norm(E, axis=1, keepdims=True) + 1e-12)
    i, j = np.triu_indices(len(E), k=1)
    spk = np.asarray(speakers)
    return np.sum(U[i] * U[j], axis=1), spk[i] == spk[j]


def eer(scores, same):
    """Equal error rate: accept a pair as one speaker when its score >= a threshold; the
    threshold where false accepts (of different-speaker pairs) and false rejects (of
    same-speaker pairs) are closest; their mean there. nan without both kinds."""
    scores, same = np.asarray(scores, dtype=np.float64), np.asarray(same, dtype=bool)
    n_same, n_diff = same.sum(), (~same).sum()
    if n_same == 0 or n_diff == 0:
        return float("nan")
    order = np.argsort(scores, kind="stable")
    s = same[order]
    # threshold just above the i lowest scores (i = 0..N): those i are rejected
    frr = np.concatenate([[0], np.cumsum(s)]) / n_same
    far = 1 - np.concatenate([[0], np.cumsum(~s)]) / n_diff
    i = int(np.argmin(np.abs(far - frr)))
    return float((far[i] + frr[i]) / 2)


def clustering_errors(E, speakers):
    """(mislabelled windows, windows): E clustered into the true number of speakers,
    scored under the optimal one-to-one mapping of clusters to speakers."""
    names = sorted(set(speakers))
    labels = baseline.cluster(E, len(names))
    counts = np.zeros((len(names), max(len(names), int(labels.max()) + 1 if len(labels) else 1)))
    for spk, lab in zip(speakers, labels):
        counts[names.index(spk), lab] += 1
    r, c = linear_sum_assignment(counts, maximize=True)
    return int(len(speakers) - counts[r, c].sum()), len(speakers)


def eer_interval(scores, same, n=2000, seed=0):
    """95 % interval of the pooled EER when the files are drawn again with replacement
    (scores, same: per-file lists). Pairs are only formed within a file, and a few files
    with a few windows of a second speaker give all the different-speaker pairs, so the
    files, not the pairs, are what a second set of recordings would vary."""
    if len(scores) < 2:
        return float("nan"), float("nan")
    rng = np.random.default_rng(seed)
    vals = []
    for _ in range(n):
        pick = rng.integers(len(scores), size=len(scores))
        vals.append(eer(np.concatenate([scores[i] for i in pick]), np.concatenate([same[i] for i in pick])))
    vals = np.array(vals)
    vals = vals[~np.isnan(vals)]
    return (float(np.percentile(vals, 2.5)), float(np.percentile(vals, 97.5))) if len(vals) else (float("nan"),) * 2


def evaluate_embedder(items, embed, chunk_seconds=CHUNK_SECONDS):
    """Pooled EER and clustering error of `embed` on items (see the module docstring)."""
    scores, same, wrong, total, files, minority = [], [], 0, 0, 0, 0
    for _, audio, ref in items:
        w = windows_of(ref, len(audio) / SR, chunk_seconds=chunk_seconds)
        if len(w) < 2:
            continue
        files += 1
        E = embed(audio, [(a, b) for a, b, _ in w])
        spk = [s for _, _, s in w]
        sc, sm = pair_scores(E, spk)
        scores.append(sc)
        same.append(sm)
        err, n = clustering_errors(E, spk)
        wrong, total = wrong + err, total + n
        minority += n - max(spk.count(x) for x in set(spk))
    low, high = eer_interval(scores, same)
    scores = np.concatenate(scores) if scores else np.zeros(0)
    same = np.concatenate(same) if same else np.zeros(0, dtype=bool)
    return {"eer": round(eer(scores, same), 4), "eer_95": [round(low, 4), round(high, 4)],
            "cluster_error": round(wrong / max(total, 1), 4),
            "one_cluster_error": round(minority / max(total, 1), 4), "windows": total, "files": files,
            "same_pairs": int(same.sum()), "diff_pairs": int((~same).sum())}
