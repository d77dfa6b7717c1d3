"""Open-set speaker identification with enrolled voiceprints: does the model's voice
embedding name enrolled callers and leave unknown ones unnamed?

    models/.venv/bin/python models/identify_eval.py            # writes models/eval/identify.json

What is enrolled and what is probed, per set (each reported as what it is):
  synthetic   held-out identities of corpus_val.npz (threshold chosen here) and
              corpus_test.npz (reported): one identity per family (identities of a family
              may be one person). Each identity's utterances are split: the first ones, up
              to ENROL_SECONDS, joined with short pauses, are its enrolment recording; the
              rest build 2-speaker synthetic calls of CALL_SECONDS (synth.CallSynth). A
              print is what `streamdrz enroll` makes: the recording through the streaming
              recipe, the unit mean of the voice embeddings of the frames where one voice
              alone speaks. A probe is a call speaker's voice profile at the end of the
              call (what the app's identification scores), its identity the reference
              speaker it overlaps most. Folds: every identity is unknown in two folds
              (enrolled set: the others), enrolled in the rest.
  fillets     REAL voices but TRAINING identities of the model: the two Fish Fillets
              leads (realsets.fillets_dialogues), enrolled from their solo lines in the
              first FILLETS_ENROL dialogues, probed by their solo speech in each other
              dialogue (oracle segmentation, closed set: both probes are enrolled).
  ami         REAL speech, oracle segmentation: the AMI excerpts (../shared/realspeech,
              CC BY 4.0) share some participants. Prints from the reference solo speech of
              every speaker in ENROL_FILES, probes from every speaker's solo speech in the
              other files (some enrolled, some never enrolled). Both embedded chunk by
              chunk without prompts (embedding_eval.model_embedder's averaging), at least 1 s
              of solo speech each. Tiny:
              read it as a sign, not a figure; no threshold is tuned on it.
Measures (scores are cosines of unit vectors):
  eer            equal error rate over all (probe, print) trials, target = same identity
  miss_at_fa1    share of target trials rejected at the threshold accepting 1 % of non-target trials
  top1           among probes of enrolled identities, the share whose best print is their own
  named_right    at the chosen threshold: probes of enrolled identities named correctly
  named_wrong    at the chosen threshold: probes named as someone else (enrolled or unknown probe)
  unknown_named  at the chosen threshold: probes of unknown identities given a name
The threshold (identify.threshold in the model contract) is the one at 1 % false
acceptance of non-target trials on the validation identities. `mfcc` rows score the
same trials with MFCC statistics (mean and std of c1..c19 of the model's log-mel over
the same frames), the baseline `streamdrz similar --embedding mfcc` uses.
DER of calls with and without enrolment: identification only names call labels, it
never changes them, so the DER is the same by construction; the script reports named
speech time instead: `named_speech` names each label by its profile at the call's end;
`streamed_names` as the app does (identities updated after each chunk with the
hysteresis given, a segment named as its label was after the chunk it ends in), with
how often a named label's name changes.
"""
import argparse
import dataclasses
import json
import os

import numpy as np
from scipy.fft import dct

import der
from corpus import load_corpus, load_noise
from embedding_eval import eer, windows_of, solo_regions
from export import OnnxDiarizer
from prompts import CallState, StreamingDiarizer, build_input, _unit
from model import ModelConfig
from realsets import ami, fillets_dialogues
from synth import CallSynth, SynthConfig

SR = 16000
ENROL_SECONDS = 20.0
CALL_SECONDS = 60.0
CALLS = {"val": 16, "test": 24}
SEEDS = {"val": 31, "test": 32}
MIN_PROFILE_FRAMES = ModelConfig.profile_min_frames   # the contract's match.profile_min_frames
ENROL_FILES = ("trn01", "trn06", "trn07")
FILLETS_ENROL = 2            # dialogues the fish are enrolled from; the other 18 are probed
AMI_MIN_FRAMES = 12          # 1 s: a 30 s meeting excerpt gives most people little solo speech
FA_TARGET = 0.01
HYSTERESIS = ModelConfig.identify_hysteresis        # the contract's identify.hysteresis


def diarize_state(sd: StreamingDiarizer, audio, snapshots=None):
    """One call through the streaming recipe; its final CallState (prompts hold the voice
    profiles). With a list as snapshots, appends after each chunk {label: (profile, frames)}."""
    cfg, st = sd.cfg, CallState()
    for k in range(max(1, int(np.ceil(len(audio) / cfg.chunk_samples)))):
        chunk = audio[k * cfg.chunk_samples: (k + 1) * cfg.chunk_samples]
        x, p = sd.prepare(st, chunk)
        sd.absorb(st, chunk, p, sd.run_chunks(x[None], [len(p)])[0])
        if snapshots is not None:
            snapshots.append({lab: (q.voice.copy(), q.voice_frames) for lab, q in st.prompts.items()
                              if q.voice is not None})
    return st


def identify(voices, prints, previous, threshold, hysteresis=HYSTERESIS):
    """The Python twin of SpeakerIdentifier.identify. voices {label: (profile, frames)},
    prints {speaker id: unit vector}, previous {label: (speaker id, score)} -> the same
    for now: judged only with MIN_PROFILE_FRAMES; a named label keeps its name down to
    threshold - hysteresis unless another print passes the threshold and beats it by
    hysteresis; one label per speaker, kept names first, then the highest scores."""
    kept, proposed, judged = [], [], set()
    for lab, (v, frames) in voices.items():
        if frames < MIN_PROFILE_FRAMES:
            continue
        judged.add(lab)
        scores = {sid: float(_unit(v) @ p) for sid, p in prints.items()}
        if not scores:
            continue
        best = max(scores, key=scores.get)
        old = previous.get(lab)
        if old is not None and old[0] in scores:
            stay = scores[old[0]]
            if stay >= threshold - hysteresis and not (scores[best] >= threshold and scores[best] > stay + hysteresis):
                kept.append((stay, lab, old[0]))
                continue
        if scores[best] >= threshold:
            proposed.append((scores[best], lab, best))
    for lab, (sid, score) in previous.items():
        if lab not in judged and sid in prints:
            kept.append((score, lab, sid))
    out, taken = {}, set()
    for group in (sorted(kept, reverse=True), sorted(proposed, reverse=True)):
        for score, lab, sid in group:
            if sid not in taken and lab not in out:
                taken.add(sid)
                out[lab] = (sid, score)
    return out


def enrol(sd, audio):
    """(unit print, seconds of speech, share of the second voice): as EnrollCommand."""
    st = diarize_state(sd, audio)
    voiced = [p for p in st.prompts.values() if p.voice is not None]
    if not voiced:
        return None, 0.0, 0.0
    frames = sorted((p.voice_frames for p in voiced), reverse=True)
    total = sum(p.voice for p in voiced)
    return _unit(total), sum(frames) * sd.cfg.enc_frame_seconds, (frames[1] / sum(frames) if len(frames) > 1 else 0.0)


def label_identities(segments, ref):
    """call label -> reference speaker it overlaps most."""
    over = {}
    for s, e, lab, _ in segments:
        for rs, re_, spk in ref:
            o = min(e, re_) - max(s, rs)
            if o > 0:
                over.setdefault(lab, {}).setdefault(spk, 0.0)
                over[lab][spk] += o
    return {lab: max(d, key=d.get) for lab, d in over.items()}


def mfcc_stats(model, audio, regions):
    """Mean and std of c1..c19 of the model's log-mel (DCT-II, orthonormal) over the 10 ms
    frames inside regions [(start, end)]: the Java MfccStatistics recipe."""
    feats = model.features(np.asarray(audio, np.float32)[None])[0].astype(np.float64)   # (T, mels)
    c = dct(feats, type=2, norm="ortho", axis=1)[:, 1:20]
    t = (np.arange(len(c)) + 0.5) * 0.01
    keep = np.zeros(len(c), dtype=bool)
    for a, b in regions:
        keep |= (t >= a) & (t < b)
    if keep.sum() < 2:
        return None
    return np.concatenate([c[keep].mean(0), c[keep].std(0)])


def standardized(P, E):
    """MFCC statistics z-scored per dimension over the probes and prints compared (as
    `streamdrz similar` does over the query and its candidates): raw cepstral means are
    dominated by the channel, not the voice."""
    P, E = np.asarray(P, np.float64), np.asarray(E, np.float64)
    both = np.concatenate([P, E])
    mu, sd = both.mean(0), both.std(0) + 1e-9
    return (P - mu) / sd, (E - mu) / sd


def cos_matrix(P, E):
    P = np.asarray(P, np.float64)
    E = np.asarray(E, np.float64)
    P = P / (np.linalg.norm(P, axis=1, keepdims=True) + 1e-12)
    E = E / (np.linalg.norm(E, axis=1, keepdims=True) + 1e-12)
    return P @ E.T


def trials(folds):
    """folds: [(scores (P, E), truth per probe: enrolled index or -1)] -> pooled scores, is-target."""
    s, t = [], []
    for S, truth in folds:
        s.append(S.ravel())
        t.append((np.arange(S.shape[1])[None, :] == np.asarray(truth)[:, None]).ravel())
    return np.concatenate(s), np.concatenate(t)


def threshold_at_fa(scores, target, fa=FA_TARGET):
    """Lowest threshold accepting at most `fa` of the non-target trials (score >= threshold)."""
    non = np.sort(scores[~target])[::-1]
    k = int(np.floor(fa * len(non)))
    return float(non[k]) + 1e-6 if k < len(non) else float(non[-1])


def measures(folds, threshold=None):
    scores, target = trials(folds)
    out = {"eer": round(eer(scores, target), 4), "trials": int(len(scores)), "target_trials": int(target.sum()),
           "mean_target": round(float(scores[target].mean()), 3) if target.any() else None,
           "mean_nontarget": round(float(scores[~target].mean()), 3)}
    thr_fa = threshold_at_fa(scores, target)
    out["miss_at_fa1"] = round(float(np.mean(scores[target] < thr_fa)), 4) if target.any() else None
    known = [(S[i], t) for S, truth in folds for i, t in enumerate(truth) if t >= 0]
    unknown = [S[i] for S, truth in folds for i, t in enumerate(truth) if t < 0]
    out["top1"] = round(float(np.mean([int(np.argmax(r)) == t for r, t in known])), 4) if known else None
    out["probes_enrolled"], out["probes_unknown"] = len(known), len(unknown)
    thr = thr_fa if threshold is None else threshold
    out["threshold"] = round(thr, 4)
    out["threshold_from"] = "this set (1 % FA)" if threshold is None else "validation identities"
    if known:
        out["named_right"] = round(float(np.mean([int(np.argmax(r)) == t and r.max() >= thr for r, t in known])), 4)
        out["named_wrong"] = round(float(np.mean([int(np.argmax(r)) != t and r.max() >= thr for r, t in known])), 4)
    if unknown:
        out["unknown_named"] = round(float(np.mean([r.max() >= thr for r in unknown])), 4)
    return out


# ---------------------------------------------------------------------------------
# synthetic held-out identities

def split_corpus(corpus):
    """One identity per family (the one with the most speech); its utterance indices split
    into enrolment (first ones up to ENROL_SECONDS) and the rest for calls."""
    secs = corpus.speaker_seconds()
    best = {}
    for i, fam in enumerate(corpus.speaker_family):
        if len(corpus.utterances_of[i]) >= 4 and (fam not in best or secs[i] > secs[best[fam]]):
            best[fam] = i
    chosen = sorted(best.values())
    enrol_utts, call_utts = {}, [np.zeros(0, dtype=np.int64) for _ in corpus.speakers]
    for i in chosen:
        utts, total, k = corpus.utterances_of[i], 0.0, 0
        while k < len(utts) - 2 and total < ENROL_SECONDS:
            total += corpus.duration_s(int(utts[k]))
            k += 1
        enrol_utts[i] = utts[:k]
        call_utts[i] = np.asarray(utts[k:])
    return chosen, enrol_utts, call_utts


def synthetic_set(model, sd, corpus_path, noise, n_calls, seed):
    corpus = load_corpus(corpus_path)
    chosen, enrol_utts, call_utts = split_corpus(corpus)
    names = [corpus.speakers[i].name for i in chosen]
    rng = np.random.default_rng(seed)
    prints, mprints, refused = {}, {}, {}
    for i in chosen:
        pause = np.zeros(int(0.4 * SR), np.float32)
        audio = np.concatenate([x for u in enrol_utts[i] for x in (corpus.utterance(int(u)), pause)])
        v, seconds, second = enrol(sd, audio)
        prints[corpus.speakers[i].name] = v
        mprints[corpus.speakers[i].name] = mfcc_stats(model, audio, [(0, len(audio) / SR)])
        refused[corpus.speakers[i].name] = {"speech_seconds": round(seconds, 1), "second_voice_share": round(second, 3)}
    probe_corpus = dataclasses.replace(corpus, utterances_of=call_utts)
    synth = CallSynth(probe_corpus, SynthConfig(), noise=noise)
    probes, mprobes, refs, hyps, states = [], [], {}, {}, []
    for c in range(n_calls):
        call = synth.make_call(rng, n_speakers=2, duration=CALL_SECONDS)
        ref = [(s, e, call.speaker_names[k]) for s, e, k in call.segments]
        snaps = []
        st = diarize_state(sd, call.audio, snaps)
        who = label_identities(st.segments, ref)
        for lab, p in st.prompts.items():
            if p.voice is not None and p.voice_frames >= MIN_PROFILE_FRAMES and lab in who:
                regions = [(s, e) for s, e, l_, _ in st.segments if l_ == lab]
                probes.append((_unit(p.voice), who[lab], f"call{c}:{lab}"))
                mprobes.append(mfcc_stats(model, call.audio, regions))
        refs[f"call{c}"] = ref
        hyps[f"call{c}"] = [(s, e, lab) for s, e, lab, _ in st.segments]
        states.append((f"call{c}", st, ref, snaps))
    n = len(names)
    folds, mfolds, fold_sets = [], [], []
    for f in range(n):
        unknown = {names[f], names[(f + 1) % n]}
        enrolled = [x for x in names if x not in unknown]
        E = np.array([prints[x] for x in enrolled])
        P = np.array([p for p, _, _ in probes])
        truth = [enrolled.index(w) if w in enrolled else -1 for _, w, _ in probes]
        folds.append((cos_matrix(P, E), truth))
        mfolds.append((cos_matrix(*standardized(mprobes, [mprints[x] for x in enrolled])), truth))
        fold_sets.append(enrolled)
    return {"chunk_seconds": sd.cfg.chunk_seconds, "identities": names, "enrolments": refused, "probes": len(probes), "calls": n_calls,
            "folds": folds, "mfcc_folds": mfolds, "fold_enrolled": fold_sets, "prints": prints,
            "refs": refs, "hyps": hyps, "states": states}


def named_speech(data, threshold):
    """Seconds of reference speech of enrolled / unknown speakers whose hypothesis label is
    named (right or wrong) at the end of the call, over the folds (a label keeps the name
    it has when the call ends: the sticky rule of SpeakerIdentifier without its history)."""
    right = wrong = unknown_named = enrolled_total = unknown_total = 0.0
    for enrolled in data["fold_enrolled"]:
        E = np.array([data["prints"][x] for x in enrolled])
        for fid, st, ref, _ in data["states"]:
            name_of = {}
            for lab, p in st.prompts.items():
                if p.voice is not None and p.voice_frames >= MIN_PROFILE_FRAMES:
                    s = cos_matrix([p.voice], E)[0]
                    if s.max() >= threshold:
                        name_of[lab] = enrolled[int(np.argmax(s))]
            for rs, re_, spk in ref:
                for s, e, lab, _ in st.segments:
                    o = max(0.0, min(e, re_) - max(s, rs))
                    if o <= 0:
                        continue
                    named = name_of.get(lab)
                    if spk in enrolled:
                        right += o if named == spk else 0.0
                        wrong += o if named is not None and named != spk else 0.0
                    else:
                        unknown_named += o if named is not None else 0.0
            for rs, re_, spk in ref:
                if spk in enrolled:
                    enrolled_total += re_ - rs
                else:
                    unknown_total += re_ - rs
    return {"enrolled_speech_named_right": round(right / max(enrolled_total, 1e-9), 4),
            "enrolled_speech_named_wrong": round(wrong / max(enrolled_total, 1e-9), 4),
            "unknown_speech_named": round(unknown_named / max(unknown_total, 1e-9), 4)}


def streamed_names(data, threshold, hysteresis):
    """As the app names segments: after each chunk the identities are updated (`identify`),
    and a segment carries the name its label had after the chunk where the segment ends.
    Shares of reference speech named right / wrong / unknown named, and name changes of a
    label after its first name (to another name or none) per call, over the folds."""
    right = wrong = unknown_named = enrolled_total = unknown_total = 0.0
    changes = calls = 0
    for enrolled in data["fold_enrolled"]:
        prints = {x: data["prints"][x] for x in enrolled}
        for fid, st, ref, snaps in data["states"]:
            calls += 1
            names, after = {}, []
            for snap in snaps:
                new = identify(snap, prints, names, threshold, hysteresis)
                for lab, (sid, _) in names.items():
                    if new.get(lab, (None,))[0] != sid:
                        changes += 1
                names = new
                after.append({lab: sid for lab, (sid, _) in names.items()})
            for rs, re_, spk in ref:
                if spk in enrolled:
                    enrolled_total += re_ - rs
                else:
                    unknown_total += re_ - rs
                for s, e, lab, _ in st.segments:
                    o = max(0.0, min(e, re_) - max(s, rs))
                    if o <= 0:
                        continue
                    k = min(len(after) - 1, int(e // data["chunk_seconds"]))
                    named = after[k].get(lab)
                    if spk in enrolled:
                        right += o if named == spk else 0.0
                        wrong += o if named is not None and named != spk else 0.0
                    else:
                        unknown_named += o if named is not None else 0.0
    return {"hysteresis": hysteresis,
            "enrolled_speech_named_right": round(right / max(enrolled_total, 1e-9), 4),
            "enrolled_speech_named_wrong": round(wrong / max(enrolled_total, 1e-9), 4),
            "unknown_speech_named": round(unknown_named / max(unknown_total, 1e-9), 4),
            "name_changes_per_call": round(changes / max(calls, 1), 3)}


# ---------------------------------------------------------------------------------
# AMI, real speech, oracle segmentation

def oracle_voice(model, audio, regions, min_frames):
    """Unit mean of the voice embeddings of the frames inside regions, each chunk of the
    recording encoded alone without prompts; None under min_frames frames."""
    cfg = model.cfg
    C = cfg.chunk_seconds
    frames = []
    for k in range(int(np.ceil(len(audio) / SR / C))):
        chunk = audio[int(k * C * SR): int((k + 1) * C * SR)]
        if not any(a < k * C + C and b > k * C for a, b in regions):
            continue
        e = model.encode(model.features(build_input(cfg, chunk, [])[None]))[2][0, cfg.chunk_enc_start:]
        t = k * C + (np.arange(e.shape[0]) + 0.5) * cfg.enc_frame_seconds
        keep = np.zeros(len(t), dtype=bool)
        for a, b in regions:
            keep |= (t >= a) & (t < b)
        frames.append(e[keep])
    f = np.concatenate(frames).astype(np.float64) if frames else np.zeros((0, 1))
    return _unit(f.mean(0)) if len(f) >= min_frames else None


def ami_set(model):
    items = ami()

    def model_voice(audio, regions):
        return oracle_voice(model, audio, regions, AMI_MIN_FRAMES)

    enrolled, prints, mprints, probes, mprobes = [], [], [], [], []
    for fid, audio, ref in items:
        regions = {}
        for a, b, spk in solo_regions(ref):
            regions.setdefault(spk, []).append((a, min(b, len(audio) / SR)))
        for spk, rs in sorted(regions.items()):
            v = model_voice(audio, rs)
            m = mfcc_stats(model, audio, rs)
            if v is None or m is None:
                continue
            if fid in ENROL_FILES:
                enrolled.append(spk)
                prints.append(v)
                mprints.append(m)
            else:
                probes.append((v, spk, fid))
                mprobes.append(m)
    truth = [enrolled.index(s) if s in enrolled else -1 for _, s, _ in probes]
    P = np.array([p for p, _, _ in probes])
    return {"enrolled": enrolled, "probes": [f"{f}:{s}" for _, s, f in probes],
            "folds": [(cos_matrix(P, np.array(prints)), truth)],
            "mfcc_folds": [(cos_matrix(*standardized(mprobes, mprints)), truth)]}


def fillets_set(model, cache):
    """REAL voices, TRAINING identities: the two Fish Fillets leads enrolled from their
    solo lines in the first FILLETS_ENROL dialogues, probed in each other dialogue
    (closed set: every probe is enrolled)."""
    items = fillets_dialogues(cache)
    enrol_regions = {}
    prints, mprints, names = [], [], []
    for fid, audio, ref in items[:FILLETS_ENROL]:
        for a, b, spk in solo_regions(ref):
            enrol_regions.setdefault(spk, []).append((fid, a, b))
    by_id = {fid: audio for fid, audio, _ in items}
    for spk, regions in sorted(enrol_regions.items()):
        pieces = [by_id[fid][int(a * SR): int(b * SR)] for fid, a, b in regions]
        joined = np.concatenate(pieces)
        prints.append(oracle_voice(model, joined, [(0, len(joined) / SR)], MIN_PROFILE_FRAMES))
        mprints.append(mfcc_stats(model, joined, [(0, len(joined) / SR)]))
        names.append(spk)
    probes, mprobes = [], []
    for fid, audio, ref in items[FILLETS_ENROL:]:
        regions = {}
        for a, b, spk in solo_regions(ref):
            regions.setdefault(spk, []).append((a, b))
        for spk, rs in sorted(regions.items()):
            v = oracle_voice(model, audio, rs, MIN_PROFILE_FRAMES)
            if v is not None:
                probes.append((v, spk, fid))
                mprobes.append(mfcc_stats(model, audio, rs))
    truth = [names.index(s) for _, s, _ in probes]
    return {"enrolled": names, "probes": len(probes),
            "folds": [(cos_matrix(np.array([p for p, _, _ in probes]), np.array(prints)), truth)],
            "mfcc_folds": [(cos_matrix(*standardized(mprobes, mprints)), truth)]}


def main(argv=None):
    global ENROL_SECONDS
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default="models/shipped/streamdrz")
    ap.add_argument("--cache", default="models/cache")
    ap.add_argument("--out", default="models/eval/identify.json")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--calls", type=int, default=None, help="calls per synthetic set (smoke tests)")
    ap.add_argument("--enrol-seconds", type=float, default=ENROL_SECONDS,
                    help="speech per synthetic enrolment recording (default %(default)s)")
    a = ap.parse_args(argv)
    ENROL_SECONDS = a.enrol_seconds
    model = OnnxDiarizer(a.model, threads=a.threads)
    sd = StreamingDiarizer(model.cfg, model.run_chunks)
    noise_path = os.path.join(a.cache, "noise.npz")
    noise = load_noise(noise_path) if os.path.exists(noise_path) else None
    out = {"model_id": model.cfg.model_id, "enrol_seconds": ENROL_SECONDS}
    data = {}
    for split in ("val", "test"):
        data[split] = synthetic_set(model, sd, os.path.join(a.cache, f"corpus_{split}.npz"), noise,
                                    a.calls or CALLS[split], SEEDS[split])
    val = measures(data["val"]["folds"])
    threshold = val["threshold"]
    mval = measures(data["val"]["mfcc_folds"])
    for split in ("val", "test"):
        d = data[split]
        res = {"kind": "synthetic calls of held-out identities", "identities": d["identities"],
               "enrolments": d["enrolments"], "calls": d["calls"],
               "model": measures(d["folds"], None if split == "val" else threshold),
               "mfcc": measures(d["mfcc_folds"], None if split == "val" else mval["threshold"])}
        res["named_speech"] = named_speech(d, threshold)
        res["streamed_names"] = [streamed_names(d, threshold, h) for h in (0.0, HYSTERESIS, 0.1)]
        _, with_ = der.score_files(d["refs"], d["hyps"], collar=0.25)
        res["der_collar025"] = round(with_.der, 4)
        res["der_note"] = "identical with and without enrolment: naming never changes a call label"
        out[f"synthetic_{split}"] = res
        print(split, json.dumps({k: v for k, v in res.items() if k != "enrolments"}), flush=True)
    d = ami_set(model)
    res = {"kind": "REAL speech (AMI excerpts, CC BY 4.0), oracle solo regions", "enrolled": d["enrolled"],
           "probes": d["probes"], "model": measures(d["folds"], threshold),
           "mfcc": measures(d["mfcc_folds"], mval["threshold"])}
    out["ami"] = res
    print("ami", json.dumps(res), flush=True)
    d = fillets_set(model, a.cache)
    res = {"kind": "REAL voices, TRAINING identities (Fish Fillets dialogues, both fish leads), oracle solo regions, "
                   "closed set", "enrolled": d["enrolled"], "probes": d["probes"],
           "model": measures(d["folds"], threshold), "mfcc": measures(d["mfcc_folds"], mval["threshold"])}
    out["fillets"] = res
    print("fillets", json.dumps(res), flush=True)
    out["chosen_threshold"] = threshold
    os.makedirs(os.path.dirname(a.out), exist_ok=True)
    with open(a.out, "w") as f:
        json.dump(out, f, indent=2)
    print(f"wrote {a.out}")


if __name__ == "__main__":
    main()
