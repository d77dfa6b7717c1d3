"""Score the shipped model, a classical floor and both voice embeddings on real speech.

    models/.venv/bin/python models/evaluate_real.py
    models/.venv/bin/python models/evaluate_real.py --sets ami --rttm-dir models/cache/real_hyp
    models/.venv/bin/python models/evaluate_real.py --render models/cache/real_calls

Sets (realsets.py): ami (nine real AMI meeting excerpts, AMI Meeting Corpus, CC BY 4.0),
heldout-phone (24 telephone dialogues of real voices no model trains on, built from
single-speaker recordings), fillets (20 real two-person dialogues rebuilt from the Czech Fish Fillets game),
fillets-phone (the same through 8 kHz band-limited mu-law). Both fish are TRAINING
identities of the shipped model: fillets measures real dialogue, not unseen voices. Not
run unless named: heldout-single (24 recordings of one held-out voice alone; its
embedding figures are empty, as no file has a second speaker).

Per set, pooled over files (times summed, md-eval's ALL), the whole file scored (UEM 0 to
its end):
  model       the exported model through onnxruntime, streamed chunk by chunk with
              speaker prompts exactly as evaluate.py does (StreamingDiarizer); no count
  model-cap   the same with the speaker cap at the file's true number of speakers
  model-final the same as streamdrz diarize gives whole files: the labels decided once
              more at the file's end (voicebank.final_labels; the live ones without
              the model's final.relabel)
  baseline    baseline.py (energy VAD, MFCC statistics, agglomerative clustering) given
              the true number of speakers
  baseline-vad  the same with Silero VAD (the model's speech gate, whole file) instead of
              the energy VAD: a stronger floor that differs from the model only in who speaks
with DER at collar 0 and 0.25 (md-eval collar, +-0.25 s; at 0.25 also its 95 % interval
when the files are drawn again with replacement), missed / false alarm /
confusion shares of the scored speaker time, the files given more labels than they have
speakers, and JER (for the model also the false alarm
outside the VAD's speech: segments kept whole past the speech they overlap); and embedding_eval.py's pairwise
EER and clustering error of 1 s single-speaker windows for the model's speaker_embedding,
for MFCC statistics, and for the voice distance the final pass clusters by (the embedding
with the cepstral statistics, embedding_eval.final_embedder). Writes models/eval/results_real.json and prints a table.
"""
import argparse
import json
import os
import time

import numpy as np

import baseline
import der
import embedding_eval
import realsets
from export import OnnxDiarizer
from prompts import StreamingDiarizer

SETS = ("ami", "heldout-phone", "fillets", "fillets-phone")
SR = realsets.SR


def model_diarizer(model, speaker_cap=0, final=False):
    """audio (float32, 16 kHz) -> [(start, end, label)] by the exported model, streamed as
    evaluate.py and the app do (final: with the labels decided again at the file's end, as
    streamdrz diarize gives them). The one place the recipe is chosen for this command."""
    streamer = StreamingDiarizer(model.cfg, model.run_chunks, speaker_cap)

    def diarize(audio):
        return [(s, e, lab) for s, e, lab, _ in streamer.diarize_many([audio], final=final)[0]]
    return diarize


def vad_regions(model, audio):
    """The model's own VAD over the whole file, Silero's thresholds (the sure speech of the
    speech gate): the floor with the same speech detection as the model, so that the two
    differ only in who speaks."""
    from vad import SileroVad, WINDOWS, speech_regions
    cfg = model.cfg
    vad = model.vad or SileroVad(os.path.join(os.path.dirname(os.path.abspath(__file__)), "shipped", "silero_vad.onnx"))
    window = WINDOWS[SR][0]
    probs = vad.probabilities(audio[None], SR)[0]
    return speech_regions(probs, window / SR, cfg.vad_threshold, cfg.vad_neg_threshold, cfg)


def n_speakers(ref):
    return len({spk for _, _, spk in ref})


def score(items, hyps):
    """DER (collar 0 and 0.25) with its three shares, and JER; whole files scored."""
    refs = {fid: ref for fid, _, ref in items}
    hyps = {fid: [(s, e, str(lab)) for s, e, lab in h] for fid, h in hyps.items()}
    uem = {fid: [(0.0, len(audio) / SR)] for fid, audio, _ in items}
    out = {}
    for collar, tag in ((0.0, "collar0"), (0.25, "collar025")):
        per_file, t = der.score_files(refs, hyps, collar=collar, uem=uem)
        total = max(t.total, 1e-9)
        out.update({f"der_{tag}": round(t.der, 4), f"missed_{tag}": round(t.missed / total, 4),
                    f"false_alarm_{tag}": round(t.false_alarm / total, 4),
                    f"confusion_{tag}": round(t.confusion / total, 4)})
    out["der_collar025_95"] = der_interval(per_file)
    out["files_over_counted"] = sum(len({lab for _, _, lab in hyps[fid]}) > n_speakers(ref) for fid, ref in refs.items())
    _, j = der.jer_files(refs, hyps, uem=uem)
    out["jer"] = round(j, 4)
    return out


def der_interval(per_file, n=2000, seed=0):
    """95 % interval of the pooled DER ({file_id: der.Result}) when the files are drawn
    again with replacement: how far another set of recordings like these could move it.
    Why: a streaming decision flips the next, so a few files swing a set's DER."""
    errors = np.array([r.errors for r in per_file.values()])
    totals = np.array([r.total for r in per_file.values()])
    if len(errors) < 2:
        return [float("nan"), float("nan")]
    pick = np.random.default_rng(seed).integers(len(errors), size=(n, len(errors)))
    vals = errors[pick].sum(1) / np.maximum(totals[pick].sum(1), 1e-9)
    return [round(float(np.percentile(vals, 2.5)), 4), round(float(np.percentile(vals, 97.5)), 4)]


def run_system(items, diarize):
    """{file_id: segments} and the real-time factor of `diarize(file_id, audio, ref)`."""
    t = time.time()
    hyps = {fid: diarize(fid, audio, ref) for fid, audio, ref in items}
    seconds = sum(len(a) for _, a, _ in items) / SR
    return hyps, round((time.time() - t) / seconds, 4)


def evaluate_set(items, model):
    # the VAD once per file (so baseline-vad's real-time factor leaves it out)
    speech = {fid: vad_regions(model, audio) for fid, audio, _ in items}
    systems = {
        "model": lambda fid, audio, ref: model_diarizer(model)(audio),
        "model-cap": lambda fid, audio, ref: model_diarizer(model, n_speakers(ref))(audio),
        "model-final": lambda fid, audio, ref: model_diarizer(model, final=True)(audio),
        "baseline": lambda fid, audio, ref: baseline.diarize(audio, SR, n_speakers(ref)),
        "baseline-vad": lambda fid, audio, ref: baseline.diarize(audio, SR, n_speakers(ref), speech[fid]),
    }
    res = {"files": len(items), "minutes": round(sum(len(a) for _, a, _ in items) / SR / 60, 2),
           "speakers_per_file": sorted({n_speakers(r) for _, _, r in items})}
    hyps = {}
    for name, fn in systems.items():
        hyps[name], rtf = run_system(items, fn)
        res[name] = {**score(items, hyps[name]), "rtf": rtf}
    res["model"]["false_alarm_outside_vad_collar0"] = false_alarm_outside_vad(items, hyps["model"], speech)
    res["embedding"] = {"model": embedding_eval.evaluate_embedder(items, embedding_eval.model_embedder(model)),
                        "mfcc": embedding_eval.evaluate_embedder(items, embedding_eval.mfcc_embedder()),
                        "final": embedding_eval.evaluate_embedder(items, embedding_eval.final_embedder(model))}
    return res, hyps


def false_alarm_outside_vad(items, hyps, speech, step=0.01):
    """Share of the scored speaker time that the model claims where no reference speaker
    talks and the VAD over the whole file ({file_id: [(start, end)]}) hears no speech
    either: segments kept whole past the speech they overlap, rather than sounds taken
    for speech."""
    outside = total = 0.0
    for fid, audio, ref in items:
        n = len(audio) // int(SR * step) + 1
        t = (np.arange(n) + 0.5) * step
        cover = lambda segs: np.sum([(t >= s) & (t < e) for s, e, *_ in segs], axis=0) if segs else np.zeros(n)  # noqa: E731
        r, h, v = cover(ref), cover(hyps[fid]), cover(speech[fid]) > 0
        outside += h[(r == 0) & ~v].sum()
        total += r.sum()
    return round(outside / max(total, 1e-9), 4)


def write_rttms(directory, hyps):
    """<file>.hyp.rttm (model), <file>.final.rttm (model-final) and <file>.baseline.rttm per
    file, for compare-engines and compare-real."""
    os.makedirs(directory, exist_ok=True)
    for system, ext in (("model", "hyp"), ("model-final", "final"), ("baseline", "baseline")):
        for fid, segs in hyps[system].items():
            der.write_rttm({fid: [(s, e, str(lab)) for s, e, lab in segs]}, os.path.join(directory, f"{fid}.{ext}.rttm"))


def render(directory, items):
    """<file>.wav (16 kHz PCM) and <file>.rttm (reference) per file."""
    import soundfile as sf
    os.makedirs(directory, exist_ok=True)
    for fid, audio, ref in items:
        sf.write(os.path.join(directory, fid + ".wav"), audio, SR, subtype="PCM_16")
        der.write_rttm({fid: ref}, os.path.join(directory, fid + ".rttm"))


def table(results):
    """A compact text table, one row per set, percentages."""
    p = lambda x: f"{100 * x:5.1f}" if x == x else "  nan"    # noqa: E731
    head = ("set            files  min | model DER c0  c.25  miss    FA  conf   JER | cap c0 | final c0  c.25 | "
            "base c0  c.25 | +vad c0  c.25 | EER mod  mfcc final | clus mod  mfcc final 1clus")
    rows = [head, "-" * len(head)]
    for name, r in results["sets"].items():
        m, c, f, b, bv = r["model"], r["model-cap"], r["model-final"], r["baseline"], r["baseline-vad"]
        em, ef, ex = r["embedding"]["model"], r["embedding"]["mfcc"], r["embedding"]["final"]
        rows.append(f"{name:14s} {r['files']:5d} {r['minutes']:4.1f} |        {p(m['der_collar0'])} "
                    f"{p(m['der_collar025'])} {p(m['missed_collar0'])} {p(m['false_alarm_collar0'])} "
                    f"{p(m['confusion_collar0'])} {p(m['jer'])} | {p(c['der_collar0'])}  | "
                    f"   {p(f['der_collar0'])} {p(f['der_collar025'])} | "
                    f"  {p(b['der_collar0'])} {p(b['der_collar025'])} |   {p(bv['der_collar0'])} {p(bv['der_collar025'])} |   {p(em['eer'])} {p(ef['eer'])} {p(ex['eer'])} | "
                    f"   {p(em['cluster_error'])} {p(ef['cluster_error'])} {p(ex['cluster_error'])} "
                    f"{p(em['one_cluster_error'])}")
    return "\n".join(rows)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default="models/shipped/streamdrz", help="prefix of the exported ONNX pair")
    ap.add_argument("--out", default="models/eval/results_real.json")
    ap.add_argument("--sets", default=",".join(SETS))
    ap.add_argument("--cache", default=os.path.join(realsets.REPO, "models", "cache"), help="prepare_data.py's cache")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--rttm-dir", default=None, help="write hypothesis RTTMs (model, baseline) per file here")
    ap.add_argument("--render", default=None, help="write the built dialogues (all sets but ami) as WAV + "
                                                   "reference RTTM here")
    a = ap.parse_args(argv)

    model = OnnxDiarizer(a.model, threads=a.threads)
    results = {"model_id": model.cfg.model_id, "runtime": "onnxruntime", "scored_region": "whole file",
               "notes": ["ami: AMI Meeting Corpus (Carletta et al., 2005), excerpts from the pyannote.audio "
                         "test data, CC BY 4.0", realsets.fillets_caveat(model.cfg),
                         "baseline and model-cap are given the true number of speakers per file"],
               "sets": {}}
    t = time.time()
    for name in a.sets.split(","):
        items = realsets.load_set(name, a.cache)
        if a.render and name != "ami":
            render(a.render, items)
        res, hyps = evaluate_set(items, model)
        if a.rttm_dir:
            write_rttms(a.rttm_dir, hyps)
        results["sets"][name] = res
        print(name, json.dumps(res), flush=True)
    results["seconds"] = round(time.time() - t, 1)
    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    with open(a.out, "w", encoding="utf-8") as f:
        json.dump(results, f, indent=2, ensure_ascii=False)
    print()
    print(table(results))
    for kind in ("model", "final"):
        print(f"{kind} EER, 95 % interval when the files are drawn again: " + "; ".join(
            f"{name} {100 * r['embedding'][kind]['eer_95'][0]:.1f}-{100 * r['embedding'][kind]['eer_95'][1]:.1f}"
            for name, r in results["sets"].items()))
    print("model DER at collar 0.25, 95 % interval when the files are drawn again: " + "; ".join(
        f"{name} {100 * r['model']['der_collar025_95'][0]:.1f}-{100 * r['model']['der_collar025_95'][1]:.1f}"
        for name, r in results["sets"].items()))
    print("model false alarm outside the VAD's speech (segments kept whole past it), collar 0: " + "; ".join(
        f"{name} {100 * r['model']['false_alarm_outside_vad_collar0']:.1f}" for name, r in results["sets"].items()))
    print(f"percent; c0/c.25: collar 0 / 0.25 s; miss/FA/conf at collar 0; cap and base: true count given; "
          f"final: labels decided again at the file's end (streamdrz diarize); "
          f"1clus: clustering error of one cluster per file\n{realsets.fillets_caveat(model.cfg)}\nwrote {a.out}")


if __name__ == "__main__":
    main()
