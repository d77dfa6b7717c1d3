"""A classical diarization floor: energy VAD, MFCC statistics, agglomerative clustering.

    from baseline import diarize
    segments = diarize(audio, 16000, n_speakers=2)    # [(start, end, label)]

No learning and no data: a learned model that does not beat this on real speech has
learned its training generator, not voices. Given the true number of speakers (an
oracle the model does not get), so it is a floor for voice separation, not a rival
system. Steps:
  1. energy VAD on 10 ms frames: log energy above the file's loud frames minus 35 dB
     and above its quiet frames plus 9 dB, never below -70 dBFS; hangover 0.2 s, gaps
     under 0.3 s filled, runs under 0.15 s dropped;
  2. 20 MFCCs (pre-emphasis, 25 ms hamming STFT, 40 mel bands, log, DCT; c0 dropped, so
     loudness is not voice), mean and std over the speech frames of 1.5 s windows with
     0.75 s hop inside each speech region, standardized over the file's windows;
  3. average-linkage agglomerative clustering, cosine distance, cut at n_speakers;
  4. each speech frame takes the label most of the windows covering it have.
Uses numpy and scipy only.
"""
import numpy as np
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.fft import dct, rfft

HOP_SECONDS = 0.010
WIN_SECONDS = 0.025
N_MELS = 40
N_MFCC = 20
WINDOW_SECONDS = 1.5       # long enough for stable statistics, short enough for one turn
WINDOW_HOP_SECONDS = 0.75


# ---------------------------------------------------------------------------------
# features

def frames(audio, sr, win=WIN_SECONDS, hop=HOP_SECONDS):
    """(n_frames, win samples); frame k starts at k * hop, n_frames = len // hop, the
    last ones zero padded, so frame k is the time [k * hop, (k + 1) * hop) for labels."""
    w, h = int(win * sr), int(hop * sr)
    n = len(audio) // h
    x = np.concatenate([audio.astype(np.float64), np.zeros(w, dtype=np.float64)])
    idx = np.arange(n)[:, None] * h + np.arange(w)[None, :]
    return x[idx]


def log_energy(audio, sr):
    """dBFS per 10 ms frame (mean square over a 25 ms frame)."""
    return 10 * np.log10(np.mean(frames(audio, sr) ** 2, axis=1) + 1e-12)


def mel_filterbank(sr, n_fft, n_mels=N_MELS, f_min=20.0, f_max=None):
    """(n_mels, n_fft // 2 + 1) triangles equally spaced on the HTK mel scale, peak 1."""
    f_max = f_max or sr / 2
    mel = lambda f: 2595 * np.log10(1 + f / 700)          # noqa: E731
    hz = lambda m: 700 * (10 ** (m / 2595) - 1)           # noqa: E731
    edges = hz(np.linspace(mel(f_min), mel(f_max), n_mels + 2))
    bins = np.fft.rfftfreq(n_fft, 1 / sr)
    fb = np.zeros((n_mels, len(bins)))
    for i in range(n_mels):
        lo, c, hi = edges[i], edges[i + 1], edges[i + 2]
        fb[i] = np.clip(np.minimum((bins - lo) / (c - lo), (hi - bins) / (hi - c)), 0, None)
    return fb


def mfcc(audio, sr, n_mfcc=N_MFCC):
    """(n_frames, n_mfcc) cepstra c1..c{n_mfcc} per 10 ms frame."""
    x = np.append(audio[:1], audio[1:] - 0.97 * audio[:-1])   # pre-emphasis: flatten the spectral tilt
    f = frames(x, sr) * np.hamming(int(WIN_SECONDS * sr))
    n_fft = 1 << int(np.ceil(np.log2(f.shape[1])))
    power = np.abs(rfft(f, n=n_fft, axis=1)) ** 2
    logmel = np.log(power @ mel_filterbank(sr, n_fft).T + 1e-10)
    return dct(logmel, type=2, norm="ortho", axis=1)[:, 1: n_mfcc + 1]


# ---------------------------------------------------------------------------------
# speech activity

def runs(mask):
    """[(start, end)] frame index runs where mask is True."""
    d = np.diff(np.concatenate([[0], mask.astype(np.int8), [0]]))
    return list(zip(np.flatnonzero(d == 1), np.flatnonzero(d == -1)))


def energy_vad(audio, sr, below_loud=35.0, above_quiet=9.0, floor_db=-70.0,
               hangover=0.2, min_gap=0.3, min_run=0.15):
    """Speech per 10 ms frame (bool array). Relative to the file's own loud (95th
    percentile) and quiet (10th percentile) frames, since recording levels differ by tens
    of dB between calls; the absolute floor keeps digital silence silent."""
    e = log_energy(audio, sr)
    if len(e) == 0:
        return np.zeros(0, dtype=bool)
    loud, quiet = np.percentile(e, 95), np.percentile(e, 10)
    speech = (e > loud - below_loud) & (e > quiet + above_quiet) & (e > floor_db)
    out = speech.copy()
    k = int(round(hangover / HOP_SECONDS))
    for s, t in runs(speech):                 # hangover: speech trails off below threshold
        out[t: t + k] = True
    for s, t in runs(~out):                   # short pauses belong to the turn
        if 0 < s and t < len(out) and t - s < min_gap / HOP_SECONDS:
            out[s:t] = True
    for s, t in runs(out):                    # clicks and bursts are not speech
        if t - s < min_run / HOP_SECONDS:
            out[s:t] = False
    return out


# ---------------------------------------------------------------------------------
# windows, statistics, clustering

def speech_windows(speech, length=WINDOW_SECONDS, hop=WINDOW_HOP_SECONDS):
    """[(start, end)] frame windows inside each speech run: `length` long every `hop`, the
    last one ending at the run's end; a run shorter than `length` is one window."""
    L, H = int(round(length / HOP_SECONDS)), int(round(hop / HOP_SECONDS))
    out = []
    for s, t in runs(speech):
        if t - s <= L:
            out.append((s, t))
            continue
        starts = list(range(s, t - L + 1, H))
        if starts[-1] + L < t:
            starts.append(t - L)
        out += [(a, a + L) for a in starts]
    return out


def window_stats(feats, windows):
    """(n_windows, 2 * dim): mean and std of the frame features in each window."""
    return np.array([np.concatenate([feats[a:b].mean(0), feats[a:b].std(0)]) for a, b in windows])


def standardize(X):
    """Per-dimension zero mean, unit variance over the rows (one file's windows): the
    channel and the language shape the raw statistics more than the voice does, and
    cosine on raw cepstra would compare mostly c1."""
    if len(X) < 2:
        return X
    return (X - X.mean(0)) / (X.std(0) + 1e-8)


def cluster(X, n):
    """Labels 0..n-1 of the rows by average-linkage agglomerative clustering (cosine)."""
    if len(X) == 0:
        return np.zeros(0, dtype=int)
    if len(X) <= n or n <= 1:
        return np.arange(len(X)) if n > 1 else np.zeros(len(X), dtype=int)
    labels = fcluster(linkage(X, method="average", metric="cosine"), t=n, criterion="maxclust")
    return labels - 1


def frame_labels(n_frames, windows, labels, n):
    """Per frame, the label most of the windows covering it have (-1: no window)."""
    votes = np.zeros((n_frames, max(n, 1)), dtype=np.int32)
    for (a, b), lab in zip(windows, labels):
        votes[a:b, lab] += 1
    return np.where(votes.sum(1) > 0, votes.argmax(1), -1)


def to_segments(lab):
    """[(start, end, label)] seconds from per-frame labels (-1 is silence)."""
    out = []
    change = np.flatnonzero(np.diff(lab)) + 1
    for s, t in zip(np.concatenate([[0], change]), np.concatenate([change, [len(lab)]])):
        if lab[s] >= 0:
            out.append((round(s * HOP_SECONDS, 3), round(t * HOP_SECONDS, 3), int(lab[s])))
    return out


def regions_to_frames(regions, n_frames):
    """Speech per 10 ms frame from [(start, end)] seconds (another VAD's answer)."""
    speech = np.zeros(n_frames, dtype=bool)
    for a, b in regions:
        speech[int(round(a / HOP_SECONDS)): int(round(b / HOP_SECONDS))] = True
    return speech


def diarize(audio, sr, n_speakers, speech_regions=None):
    """[(start, end, label)] seconds, labels 0..n_speakers-1, given the true count.
    speech_regions: [(start, end)] seconds from another VAD instead of the energy VAD."""
    audio = np.asarray(audio, dtype=np.float64)
    speech = energy_vad(audio, sr)
    if speech_regions is not None:
        speech = regions_to_frames(speech_regions, len(speech))
    windows = speech_windows(speech)
    if not windows:
        return []
    feats = mfcc(audio, sr)
    X = standardize(window_stats(feats, windows))
    labels = cluster(X, n_speakers)
    lab = frame_labels(len(speech), windows, labels, n_speakers)
    lab[~speech] = -1
    return to_segments(lab)
