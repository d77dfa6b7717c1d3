"""Real validation: which checkpoint of a run to keep, judged on real dialogue of voices
the run never heard.

    models/.venv/bin/python models/realval.py models/runs/heldout/snap-*.pt

Why: the synthetic validation calls do not tell close checkpoints apart on real speech
(models/EXPERIMENTS.md: from one snapshot to the next the real scores move by 5 points
while the synthetic ones tie). A run that holds real voices out of its training
(train.py --held_out) can be chosen on real dialogue between them instead:
  - both Fish Fillets leads held out (train.py's default): the Fish Fillets dialogues
    through the telephone channel (realsets 'fillets-phone', but one dialogue from each
    of the 41 levels that have one, not 20);
  - every name of two or more families of real training voices held out (say Paola and
    Carlo, or the Tux Paint readers): telephone dialogues between them, built as the
    held-out telephone dialogues are (realsets.corpus_dialogues).
For such a model those dialogues are validation, never a reported set. A model that heard
all of them is refused.

Each checkpoint streams the dialogues as the app does (speaker prompts, the speech gate of
the shipped Silero VAD file) through PyTorch, with the checkpoint's own recipe values
(those of the training loop's evaluation) or, with --like, an exported model's. Prints
DER at collar 0 and 0.25, pooled over the dialogues (with --single also over recordings of
one of those voices alone), and names the best on the dialogues at collar 0.25;
with --matches, --merges and --vary (any other recipe value), for each point of the grids
(the recipe's values of such a model are chosen here too). train.py runs the same at
every evaluation of such a run (--real_val) and keeps the best as <out>/best_real.pt.
"""
import argparse
import dataclasses
import itertools
import os

import der
import realsets
from prompts import StreamingDiarizer
from vad import SHIPPED_FILE, SileroVad, inputs_speech

LEVELS = 1000      # a dialogue from every level that has one (41, 35 min): the reported set's 20 are too few to
                   # rank close checkpoints
VOICE_DIALOGUES = 40    # dialogues between held-out real training voices, the family pairs in turn
MONOLOGUES = 40         # recordings of one of those voices alone (validation_monologues)
VAD_FILE = SHIPPED_FILE


def unseen(held_out):
    """Whether a model whose training held out `held_out` (comma-separated identities)
    never heard either voice of the Fish Fillets dialogues."""
    return set(realsets.FISH_IDENTITIES) <= set(held_out.split(","))


def unseen_voices(held_out, corpus_path):
    """The real identities of the training corpus whose whole family (one person under
    several names) `held_out` holds out: voices a model trained without them never heard."""
    from corpus import load_corpus
    c, out = load_corpus(corpus_path), set(held_out.split(","))
    family = {f: {n for n, g in zip(c.speaker_name, c.speaker_family) if g == f} for f in set(c.speaker_family)}
    return sorted(n for n, f, k in zip(c.speaker_name, c.speaker_family, c.speaker_kind)
                  if k == "real" and n not in realsets.FISH_IDENTITIES and family[f] <= out)


def validation_items(held_out, cache_dir=os.path.join(realsets.REPO, "models", "cache")):
    """The real validation dialogues of a model: the Fish Fillets dialogues if it never
    heard both leads, and telephone dialogues between the other real training voices it
    never heard (`realsets.corpus_dialogues`), if two families of them have enough speech."""
    items = realsets.fillets_dialogues(cache_dir, n=LEVELS, phone=True) if unseen(held_out) else []
    voices = unseen_voices(held_out, os.path.join(cache_dir, "corpus_train.npz")) if held_out else []
    if voices:
        try:
            items += realsets.corpus_dialogues(os.path.join(cache_dir, "corpus_train.npz"), "held-out-train",
                                               n=VOICE_DIALOGUES, only=set(voices))
        except ValueError:
            pass                 # fewer than two families: no dialogue between them
    if not items:
        raise ValueError(f"no real voices that this model never heard (held out: {held_out or 'nothing'}): "
                         "the real validation needs both Fish Fillets leads, or two families of real training "
                         "voices, held out of its training")
    return items


def validation_monologues(held_out, cache_dir=os.path.join(realsets.REPO, "models", "cache"), n=MONOLOGUES):
    """Recordings of one voice alone (`realsets.corpus_monologues`) of the real training
    voices the model never heard, the Fish Fillets leads among them if it never heard
    them: what a model or a recipe value costs a voice heard alone, which no dialogue asks.
    Not part of the training loop's validation, so that its figures stay comparable."""
    voices = set(unseen_voices(held_out, os.path.join(cache_dir, "corpus_train.npz"))) if held_out else set()
    if unseen(held_out):
        voices |= set(realsets.FISH_IDENTITIES)
    if not voices:
        raise ValueError(f"no real voices that this model never heard (held out: {held_out or 'nothing'})")
    return realsets.corpus_monologues(os.path.join(cache_dir, "corpus_train.npz"), "held-out-single", n=n,
                                      only=voices)


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


def settings(cfg, matches, merges, vary=()):
    """(label, ModelConfig) per point of the grid: the match and merge thresholds and each
    `vary` entry ("field=v1,v2": any other recipe value of ModelConfig), every combination;
    an empty grid keeps the checkpoint's own value."""
    axes = [("match", "match_threshold", matches), ("merge", "merge_threshold", merges)]
    for entry in vary:
        field, _, values = entry.partition("=")
        if not hasattr(cfg, field) or not values:
            raise ValueError(f"--vary {entry!r}: expected FIELD=V1,V2,... with a field of ModelConfig")
        axes.append((field, field, values))
    points = [[(name, field, type(getattr(cfg, field))(v)) for v in text.split(",")] if text
              else [(name, field, getattr(cfg, field))] for name, field, text in axes]
    return [(" ".join(f"{name} {v}" for name, _, v in point),
             dataclasses.replace(cfg, **{field: v for _, field, v in point}))
            for point in itertools.product(*points)]


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
    ap.add_argument("--vary", action="append", default=[], metavar="FIELD=V1,V2",
                    help="grid of another recipe value of ModelConfig, e.g. nested_share=2.0,0.6 (repeatable)")
    ap.add_argument("--like", default="", help="stream with this exported model's recipe values (e.g. "
                    "models/shipped/streamdrz: its voice bank and thresholds) instead of the checkpoint's own")
    ap.add_argument("--cache", default=os.path.join(realsets.REPO, "models", "cache"), help="prepare_data.py's cache")
    ap.add_argument("--single", action="store_true", help="also score recordings of one of the unseen voices alone "
                    "(validation_monologues); the best is still named on the dialogues")
    a = ap.parse_args(argv)
    vad, items, singles, best = load_vad(), {}, {}, None
    for path in a.ckpts:
        model = load_checkpoint(path)
        held_out = model.cfg.held_out
        if held_out not in items:
            items[held_out] = validation_items(held_out, a.cache)     # refuses a model that heard them all
            singles[held_out] = validation_monologues(held_out, a.cache) if a.single else []
        run = cached(torch_chunk_runner(model, "cpu"))                # the grid re-runs the same chunks
        for label, cfg in settings(recipe(model.cfg, a.like), a.matches, a.merges, a.vary):
            d = real_der(run, cfg, items[held_out], vad)
            line = (f"{path} {label}: real validation ({len(items[held_out])} dialogues) DER collar 0 "
                    f"{100 * d[0.0]:.2f}, collar 0.25 {100 * d[0.25]:.2f}")
            if singles[held_out]:
                o = real_der(run, cfg, singles[held_out], vad)
                line += (f"; one voice alone ({len(singles[held_out])}) collar 0 {100 * o[0.0]:.2f}, "
                         f"collar 0.25 {100 * o[0.25]:.2f}")
            print(line, flush=True)
            if best is None or d[0.25] < best[1]:
                best = (f"{path} {label}", d[0.25])
    print(f"best on the real validation: {best[0]}")


if __name__ == "__main__":
    main()
