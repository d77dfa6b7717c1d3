"""Real validation: which checkpoint of a run to keep, judged on real dialogue of voices
the run never heard.

    models/.venv/bin/python models/realval.py models/runs/heldout/snap-*.pt

Why: the synthetic validation calls do not tell close checkpoints apart on real speech
(models/MODEL_CARD.md: from one snapshot to the next the real scores move by 5 points
while the synthetic ones tie). A run that holds both Fish Fillets leads out of training
(train.py's default --held_out) can be chosen on the Fish Fillets dialogues through the
telephone channel instead (realsets 'fillets-phone', but one dialogue from every level
that has one, 41 in all, not 20: real recorded turns of two real voices, in the
product's channel). For such a model those dialogues are validation and
stop being a reported set. A checkpoint whose training heard either lead is refused.

Each checkpoint streams the dialogues as the app does (speaker prompts, the speech gate of
the shipped Silero VAD file) through PyTorch, with the checkpoint's own recipe values
(those of the training loop's evaluation) or, with --like, an exported model's. Prints DER at collar 0 and 0.25, pooled over
the dialogues, and names the best at collar 0.25; with --matches and --merges, for each
pair of thresholds of the grids (the recipe's values of such a model are chosen here too).
train.py runs the same at every evaluation of such a run (--real_val) and keeps the best
as <out>/best_real.pt.
"""
import argparse
import dataclasses
import itertools
import os

import der
import realsets
from prompts import StreamingDiarizer
from vad import SileroVad, inputs_speech

SET = "fillets-phone"
LEVELS = 1000      # a dialogue from every level that has one (41, 35 min): the reported set's 20 are too few to
                   # rank close checkpoints
VAD_FILE = os.path.join(realsets.REPO, "models", "shipped", "silero_vad.onnx")


def unseen(held_out):
    """Whether a model whose training held out `held_out` (comma-separated identities)
    never heard either voice of the real validation dialogues."""
    return set(realsets.FISH_IDENTITIES) <= set(held_out.split(","))


def validation_items(held_out, cache_dir=os.path.join(realsets.REPO, "models", "cache")):
    """The real validation dialogues, for a model that never heard their voices."""
    if not unseen(held_out):
        raise ValueError(f"the Fish Fillets leads {realsets.FISH_IDENTITIES} are not both held out of this "
                         f"model's training (held out: {held_out or 'nothing'}): it heard the voices of the "
                         "real validation dialogues, so they cannot choose it")
    return realsets.fillets_dialogues(cache_dir, n=LEVELS, phone=True)


def load_vad(path=VAD_FILE):
    """The shipped speech gate's VAD (the shipped model's file, as the app gates with)."""
    if not os.path.isfile(path):
        raise FileNotFoundError(f"{path}: the real validation gates speech with this VAD file")
    return SileroVad(path)


def gated(run_chunks, cfg, vad):
    """run_chunks with each output's speech regions from the VAD, as the exported model's
    run_chunks gives them, so that a PyTorch checkpoint is scored with the app's gate."""
    def run(inputs, n_prompted):
        outs = run_chunks(inputs, n_prompted)
        return [dataclasses.replace(o, speech=s) for o, s in zip(outs, inputs_speech(vad, inputs, cfg))]
    return run


def real_der(run_chunks, cfg, items, vad, collars=(0.0, 0.25)):
    """{collar: pooled DER} of items (file_id, audio, reference) streamed chunk by chunk."""
    hyps = StreamingDiarizer(cfg, gated(run_chunks, cfg, vad)).diarize_many([a for _, a, _ in items])
    refs = {fid: ref for fid, _, ref in items}
    hyp = {fid: [(s, e, str(lab)) for s, e, lab, _ in h] for (fid, _, _), h in zip(items, hyps)}
    uem = {fid: [(0.0, len(audio) / realsets.SR)] for fid, audio, _ in items}
    return {c: der.score_files(refs, hyp, collar=c, uem=uem)[1].der for c in collars}


def settings(cfg, matches, merges):
    """(label, ModelConfig) per pair of the match and merge threshold grids; an empty
    grid keeps the checkpoint's own value."""
    floats = lambda text, own: [float(x) for x in text.split(",")] if text else [own]   # noqa: E731
    return [(f"match {m} merge {g}", dataclasses.replace(cfg, match_threshold=m, merge_threshold=g))
            for m, g in itertools.product(floats(matches, cfg.match_threshold), floats(merges, cfg.merge_threshold))]


def recipe(cfg, like):
    """The checkpoint's config with the recipe values of the exported model `like`, if any;
    what it never heard stays its own."""
    if not like:
        return cfg
    from average import recipe_config
    return dataclasses.replace(recipe_config(like), held_out=cfg.held_out)


def main(argv=None):
    from export import load_checkpoint
    from select_checkpoint import cached
    from train import torch_chunk_runner
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("ckpts", nargs="+", help="checkpoints (train.py's snap-*.pt, best.pt, ...)")
    ap.add_argument("--matches", default="", help="grid of match thresholds (default: the checkpoint's)")
    ap.add_argument("--merges", default="", help="grid of merge thresholds (default: the checkpoint's)")
    ap.add_argument("--like", default="", help="stream with this exported model's recipe values (e.g. "
                    "models/shipped/streamdrz: its voice bank and thresholds) instead of the checkpoint's own")
    ap.add_argument("--cache", default=os.path.join(realsets.REPO, "models", "cache"), help="prepare_data.py's cache")
    a = ap.parse_args(argv)
    vad, items, best = load_vad(), None, None
    for path in a.ckpts:
        model = load_checkpoint(path)
        if items is None or not unseen(model.cfg.held_out):
            items = validation_items(model.cfg.held_out, a.cache)     # refuses a model that heard them
        run = cached(torch_chunk_runner(model, "cpu"))                # the grid re-runs the same chunks
        for label, cfg in settings(recipe(model.cfg, a.like), a.matches, a.merges):
            d = real_der(run, cfg, items, vad)
            print(f"{path} {label}: {SET} DER collar 0 {100 * d[0.0]:.2f}, collar 0.25 {100 * d[0.25]:.2f}",
                  flush=True)
            if best is None or d[0.25] < best[1]:
                best = (f"{path} {label}", d[0.25])
    print(f"best on {SET}: {best[0]}")

if __name__ == "__main__":
    main()
