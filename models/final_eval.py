"""Live labels against the labels decided again at each call's end, as streamdrz diarize gives
whole files (voicebank.final_labels, the model's final.relabel), on the same calls, for a grid
of the final pass's cepstral weight (final.cepstral_weight).

    models/.venv/bin/python models/final_eval.py --sets val-2spk,val-3spk,val-long --weights 0,0.5
    models/.venv/bin/python models/final_eval.py --checkpoint models/checkpoints/heldout2-6400.pt \
        --like models/shipped/streamdrz --weights 0,0.15,0.3,0.5,0.7,1,2
    models/.venv/bin/python models/final_eval.py --checkpoint CKPT --like models/shipped/streamdrz \
        --vary recluster_cepstral_weight=0,0.5
    models/.venv/bin/python models/final_eval.py --checkpoint CKPT --like models/shipped/streamdrz \
        --merges 0,0.7 --single
    models/.venv/bin/python models/final_eval.py --sets val-2spk,val-3spk --gains 8,0,-12,-20

Sets as recluster.py takes them: the recipe's validation calls (val-2spk, val-3spk: 60 s two-
and three-party calls; val-long: 600 s two-party calls), or realsets' names. With --checkpoint,
a PyTorch checkpoint of a run that held real voices out streams its own real validation
(realval.py: dialogues of those voices, gated by the shipped VAD) with the recipe values of
--like: where the cepstral weight is chosen, since the validation calls' synthetic voices do
not need it. --speaker-cap streams as diarize --max-speakers does. Each call is streamed once; the final pass runs on it once per weight. Prints
DER in % at collar 0 / 0.25, pooled over each set's files.
"""
import argparse
import dataclasses
import itertools

import numpy as np

from evaluate_real import score
from prompts import StreamingDiarizer
from recluster import load_items
from voicebank import final_labels


def at_gain(items, db):
    """items (file_id, audio, reference) with the audio scaled by db dB, clipped to +-1."""
    g = 10 ** (db / 20)
    return [(fid, np.clip(audio * g, -1.0, 1.0).astype(np.float32), ref) for fid, audio, ref in items]


def streamer_and_sets(a):
    """(StreamingDiarizer, {set name: items}) of the exported model and --sets, or of
    --checkpoint and its real validation."""
    if a.checkpoint:
        import realval
        from export import load_checkpoint
        from train import torch_chunk_runner
        model = load_checkpoint(a.checkpoint)
        cfg = realval.recipe(model.cfg, a.like)
        run = realval.gated(torch_chunk_runner(model, "cpu"), cfg, realval.load_vad())
        sets = {"real-validation": realval.validation_items(model.cfg.held_out)}
        if a.single:
            sets["real-val-single"] = realval.validation_monologues(model.cfg.held_out)
        return StreamingDiarizer(cfg, run, a.speaker_cap), sets
    from export import OnnxDiarizer
    model = OnnxDiarizer(a.model, threads=a.threads)
    return (StreamingDiarizer(model.cfg, model.run_chunks, a.speaker_cap),
            {name: load_items(name) for name in a.sets.split(",")})


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default="models/shipped/streamdrz")
    ap.add_argument("--sets", default="val-2spk,val-3spk,val-long")
    ap.add_argument("--checkpoint", default="", help="a checkpoint of a run that held real voices out: its real "
                    "validation instead of --model and --sets")
    ap.add_argument("--like", default="", help="with --checkpoint: stream with this exported model's recipe values")
    ap.add_argument("--single", action="store_true", help="with --checkpoint: also recordings of one of its "
                    "unseen voices alone (realval.validation_monologues)")
    ap.add_argument("--weights", default="", help="final cepstral weights to weigh (default: the model's own)")
    ap.add_argument("--merges", default="", help="the final pass merging on below its count of live labels "
                    "while its closest clusters are nearer than each of these (final.merge_distance; "
                    "default: the model's own)")
    ap.add_argument("--speaker-cap", type=int, default=0, help="at most this many speakers per call, as "
                    "streamdrz diarize --max-speakers (default 0: no limit)")
    ap.add_argument("--vary", action="append", default=[], metavar="FIELD=V1,V2",
                    help="stream with each of these values of a recipe field (realval.py's --vary), e.g. "
                    "recluster_cepstral_weight=0,0.5; the calls are streamed once per value")
    ap.add_argument("--gains", default="", help="each set again at each of these gains in dB (e.g. 0,-12,-20: "
                    "how the labels hold up when a recording is quieter or louder than the trained levels)")
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()
    streamer, sets = streamer_and_sets(a)
    if a.gains:
        sets = {f"{name} {g:+g} dB": at_gain(items, g) for name, items in sets.items()
                for g in (float(x) for x in a.gains.split(","))}
    from realval import settings
    print(f"model {a.checkpoint or streamer.cfg.model_id}; speaker cap {a.speaker_cap or 'none'}; "
          "DER % collar 0 / 0.25")
    fields = [entry.partition("=")[0] for entry in a.vary]
    for _, live_cfg in settings(streamer.cfg, "", "", a.vary):
        label = " ".join(f"{f}={getattr(live_cfg, f):g}" for f in fields)
        weights = [float(w) for w in a.weights.split(",")] if a.weights else [live_cfg.final_cepstral_weight]
        merges = [float(d) for d in a.merges.split(",")] if a.merges else [live_cfg.final_merge_distance]
        for name, items in sets.items():
            streamer.cfg = live_cfg
            streamed = streamer.stream_many([audio for _, audio, _ in items], keep_pieces=True)
            rows = [("live", [segs for segs, _ in streamed])]
            for w, d in itertools.product(weights, merges):      # a model without the keys is weighed all the same
                final_cfg = dataclasses.replace(live_cfg, final_relabel="labels", final_cepstral_weight=w)
                tag = f"final W={w:g}" + (f" D={d:g}" if a.merges else "")
                rows.append((tag, [final_labels(final_cfg, segs, pieces, d) for segs, pieces in streamed]))
            for tag, hyps in rows:
                r = score(items, {fid: [(s, e, lab) for s, e, lab, _ in h] for (fid, _, _), h in zip(items, hyps)})
                print(f"{name:20s} {label + ' ' if label else ''}{tag:18s} {100 * r['der_collar0']:5.1f} / "
                      f"{100 * r['der_collar025']:5.2f}", flush=True)


if __name__ == "__main__":
    main()
