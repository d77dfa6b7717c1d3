"""Live labels against the labels decided again at each call's end, as streamdrz diarize gives
whole files (voicebank.final_labels, the model's final.relabel), on the same calls.

    models/.venv/bin/python models/final_eval.py --sets val-2spk,val-3spk,val-long

Sets as recluster.py takes them: the recipe's validation calls (val-2spk, val-3spk:
60 s two- and three-party calls; val-long: 600 s two-party calls), where the pass is
chosen, or realsets' names. Prints DER in % at collar 0 / 0.25, pooled over each set's files.
"""
import argparse
import dataclasses

from evaluate_real import model_diarizer, score
from export import OnnxDiarizer
from recluster import load_items


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default="models/shipped/streamdrz")
    ap.add_argument("--sets", default="val-2spk,val-3spk,val-long")
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()
    model = OnnxDiarizer(a.model, threads=a.threads)
    if model.cfg.final_relabel == "none":      # a model without the key: weigh the pass all the same
        model.cfg = dataclasses.replace(model.cfg, final_relabel="labels")
    print(f"model {model.cfg.model_id}; DER % collar 0 / 0.25")
    for name in a.sets.split(","):
        items = load_items(name)
        for tag, final in (("live", False), ("final", True)):
            diarize = model_diarizer(model, final=final)
            r = score(items, {fid: diarize(audio) for fid, audio, _ in items})
            print(f"{name:14s} {tag:6s} {100 * r['der_collar0']:5.1f} / {100 * r['der_collar025']:5.2f}", flush=True)


if __name__ == "__main__":
    main()
