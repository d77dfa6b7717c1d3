"""Average the weights of checkpoints of one network, ready for export.py.

    models/.venv/bin/python models/average.py models/shipped/streamdrz-small.pt \
        models/checkpoints/formant-17600.pt --weight 0.5 --like models/shipped/streamdrz --out /tmp/avg/avg.pt
    models/.venv/bin/python models/average.py models/runs/heldout-formant/snap-2{55,60,65,70}00.pt \
        --like models/shipped/streamdrz --out /tmp/tail/avg.pt
    models/.venv/bin/python models/export.py --ckpt /tmp/avg/avg.pt --out /tmp/avg/streamdrz \
        --vad-file /tmp/avg/silero_vad.onnx

Writes (1 - weight) * A + weight * B, parameter by parameter, in float32. Two fine-tunes
of the same start lie in one basin of the loss, and their average often keeps what each
learned (the "model soup" of Wortsman et al., 2022); it costs no training, so the
validation calls can weigh it against both ends. With more than two checkpoints each
gets the same share: the snapshots of one run's last stretch, averaged, are the "tail
average" of stochastic weight averaging (Izmailov et al., 2018), which the real
validation of this project's runs favours over any one snapshot, as one snapshot's
scores move by several points from the next one's. Training-only heads whose shapes
differ (the identity classifier, `spk_classes`: one row per training identity) are
dropped; any other difference in shape is refused. The recipe values (thresholds, speech
gate, voice bank) come from the exported model `--like`, so the result streams as that
model does; export.py's flags still override them. With --weight 1 it only prepares B for
export with --like's recipe, as a training snapshot needs. What the result never heard
(`held_out`) comes from the checkpoints, not from --like. The Silero VAD file named by
--like's contract is copied next to --out, where export.py looks for it. With --like ''
the result keeps the first checkpoint's own recipe values (a training run's, as its
loop validates them).
"""
import argparse
import dataclasses
import os
import shutil

import torch

TRAINING_ONLY = ("spk_classes",)     # heads the exported graphs never use


def average_states(a: dict, b: dict, weight: float) -> dict:
    """(1 - weight) * a + weight * b of two state dicts; TRAINING_ONLY entries of different
    shapes are dropped, integer buffers are taken from a."""
    if not 0.0 <= weight <= 1.0:
        raise ValueError(f"weight {weight} is not in [0, 1]")
    if set(a) != set(b):
        raise ValueError(f"the checkpoints differ in parameters: {sorted(set(a) ^ set(b))}")
    out = {}
    for k, va in a.items():
        vb = b[k]
        if va.shape != vb.shape:
            if k in TRAINING_ONLY:
                continue
            raise ValueError(f"{k}: shape {tuple(va.shape)} against {tuple(vb.shape)}: not one network")
        if not va.is_floating_point():
            out[k] = va.clone()
            continue
        out[k] = (1.0 - weight) * va.float() + weight * vb.float()
    return out


def mean_states(states: list) -> dict:
    """The uniform mean of state dicts, as average_states weighs two (a running mean)."""
    if not states:
        raise ValueError("no checkpoints to average")
    out = states[0]
    for k, s in enumerate(states[1:], start=2):
        out = average_states(out, s, 1.0 / k)
    return out if len(states) > 1 else average_states(out, out, 0.0)


def held_out_of(a: dict, b: dict, weight: float) -> str:
    """The identities the result never heard: those every checkpoint with a share in it
    held out (at weight 1, B's alone). Why not --like's: a run that held the real
    validation voices out must say so (realsets.fillets_caveat, realval.py)."""
    return held_out_by([s for s, w in ((a, 1.0 - weight), (b, weight)) if w > 0])


def held_out_by(states: list) -> str:
    """The identities every one of `states` held out, in the first one's order."""
    parts = [s["model_config"].get("held_out", "") for s in states]
    names = [set(n for n in p.split(",") if n) for p in parts]
    first = [n for n in parts[0].split(",") if n]
    return ",".join(n for n in first if all(n in other for other in names))


def recipe_config(like_prefix, own=None):
    """The model config of an exported model: its architecture and every recipe value, with
    no training identities (the classifier is not exported); with no prefix, `own` (a
    checkpoint's model_config) instead."""
    if like_prefix:
        from export import OnnxDiarizer
        cfg = OnnxDiarizer(like_prefix).cfg
    else:
        from model import ModelConfig
        known = {f.name for f in dataclasses.fields(ModelConfig)}
        cfg = ModelConfig(**{k: v for k, v in own.items() if k in known})
    cfg.n_train_speakers = 0
    return cfg


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("ckpts", nargs="+", help="checkpoints: A and B (weights 1 - w and w), or any number, "
                                             "each the same share")
    ap.add_argument("--weight", type=float, default=None, help="w, B's share of two (default 0.5)")
    ap.add_argument("--like", default="models/shipped/streamdrz", help="exported model whose recipe the result takes "
                                                                     "('': the first checkpoint's own)")
    ap.add_argument("--out", required=True, help="checkpoint to write")
    a = ap.parse_args()
    if a.weight is not None and len(a.ckpts) != 2:
        ap.error(f"--weight is B's share of two checkpoints; {len(a.ckpts)} given share equally")
    load = lambda p: torch.load(p, map_location="cpu", weights_only=False)    # noqa: E731
    states = [load(p) for p in a.ckpts]
    cfg = recipe_config(a.like, states[0]["model_config"])
    if len(states) == 2:
        w = 0.5 if a.weight is None else a.weight
        model, cfg.held_out = average_states(states[0]["model"], states[1]["model"], w), held_out_of(*states, w)
    else:
        w = None
        model, cfg.held_out = mean_states([s["model"] for s in states]), held_out_by(states)
    model = {k: v for k, v in model.items() if k not in TRAINING_ONLY}   # recipe_config has no identities
    state = dict(model=model, iter=int(states[-1].get("iter", 0)), best_der=float("inf"),
                 model_config=dataclasses.asdict(cfg), train_config=dict(averaged=a.ckpts, weight=w))
    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    torch.save(state, a.out)
    if cfg.vad_file and a.like:
        shutil.copy(os.path.join(os.path.dirname(os.path.abspath(a.like)), cfg.vad_file),
                    os.path.dirname(os.path.abspath(a.out)))
    shares = f"{1 - w:g} x {a.ckpts[0]} + {w:g} x {a.ckpts[1]}" if w is not None else \
        f"the mean of {len(a.ckpts)} checkpoints"
    print(f"wrote {a.out}: {shares}, recipe of {a.like or a.ckpts[0]}")


if __name__ == "__main__":
    main()
