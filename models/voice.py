"""A voice network of its own: convolutions over the log-mel frames, one unit embedding
per 80 ms encoder frame, trained only to tell voices apart.

Why a separate network: the diarizer's own embedding is a projection of its transformer
memory, where every frame has attended to the whole 8 s chunk and to the prompts. On
real meetings a frame's embedding then carries the other voices of the chunk, and it
learned the training voices rather than voices (pairwise EER 33-37 % on the AMI
excerpts). This network sees about 1.3 s around a frame and nothing else, removes the
channel's spectral colour with a sliding 3 s mean (as x-vector recipes do), and is
trained with additive-angular-margin softmax over many pseudo-identities (speed copies)
in calls that vary room, microphone distance, noise and telephone channel.

The recipe averages a speaker's unit frame embeddings (prompts.ChunkVoices), so the
training loss is taken on such averages too: 1 s windows of one speaker, besides the
single frames.

    models/.venv/bin/python models/voice.py --out=models/runs/voice --max_iters=4000
    models/.venv/bin/python models/voice.py --out=models/runs/voice --eval_only=1
    models/.venv/bin/python models/voice.py --compact=models/runs/voice/best.pt --to=VOICE.pt
    models/.venv/bin/python models/voice.py --out=models/runs/voice2 --init_from=VOICE.pt

The third writes a checkpoint small enough to commit; the fourth goes on from it (its
iteration, a fresh optimizer warmed up again) where <out> holds no checkpoint of its own.

    models/.venv/bin/python models/voice.py --graft=DIARIZER.pt --voice=models/runs/voice/best.pt \
        --to=models/runs/voice/grafted.pt

The last puts the voice network into a diarizer checkpoint (model.VoiceNet, the
`speaker_embedding` the exported encoder gives): export.py takes it as any checkpoint.
"""
import json
import os
import sys
import time
from dataclasses import asdict, dataclass

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from model import Diarizer, ModelConfig, MelFrontend, VoiceNet, aam_loss


def window_means(emb, spk, width=12, stride=6):
    """Unit means of `width`-frame windows where one identity speaks throughout.
    emb (B, S, E), spk (B, S) identity or -100 -> (N, E), (N,)."""
    w = spk.unfold(1, width, stride)                                  # (B, nW, width)
    keep = (w == w[..., :1]).all(-1) & (w[..., 0] >= 0)
    e = emb.unfold(1, width, stride).mean(-1)                         # (B, nW, E)
    return F.normalize(e[keep], dim=-1), w[..., 0][keep]


@dataclass
class VoiceTrainConfig:
    out: str = "models/runs/voice"
    corpus_dir: str = "models/cache"
    batch_size: int = 16
    lr: float = 2e-3
    min_lr: float = 1e-4
    warmup: int = 200
    sched_start: int = 0             # train.lr_at's schedule: warm-up, then cosine to max_iters
    max_iters: int = 4000
    weight_decay: float = 1e-4
    margin: float = 0.2
    frame_weight: float = 0.5        # single frames, besides the 1 s windows
    speed_factors: str = "0.84,0.92,1.08,1.17"
    formant_factors: str = ""        # formant-shifted copies, each a new identity (train.py's)
    meeting_share: float = 0.5
    eval_interval: int = 500
    ckpt_interval: int = 100
    threads: int = 1
    seed: int = 2026
    eval_only: bool = False
    init_from: str = ""              # a compact checkpoint (--compact) to go on from when <out> has none
    compact: str = ""                # write this checkpoint's weights in bf16, no optimizer, to --to, and stop
    compare: str = ""                # comma-separated checkpoints: print their validation EERs and stop
    real: bool = False               # --compare also on the real sets
    graft: str = ""                  # a diarizer checkpoint to give the voice network of --voice
    voice: str = ""
    to: str = ""


def embedder(net, mcfg):
    """embedding_eval's embedder for a VoiceNet (chunks run alone, no prompts)."""
    import embedding_eval
    return embedding_eval.torch_embedder(mcfg, net.eval())


def voice_validation_calls(corpus_dir, n=32, seed=779):
    """Calls of the validation voices in which only the voice tells speakers apart: two
    or three people of one gender (one language where the voices allow), the same level,
    no room of their own; noise and telephone channel on the whole call as usual. In the
    usual calls a speaker's own level, room and microphone betray them, which a real
    meeting's far microphone mostly does not."""
    from corpus import load_corpus, load_noise
    from synth import CallSynth, SynthConfig
    cfg = SynthConfig(p_similar_speakers=1.0, speaker_gain_db=0.0, p_reverb=0.0)
    synth = CallSynth(load_corpus(os.path.join(corpus_dir, "corpus_val.npz")), cfg,
                      noise=load_noise(os.path.join(corpus_dir, "noise.npz")))
    rng = np.random.default_rng(seed)
    return [synth.make_call(rng, n_speakers=2 + i % 2, duration=32.0) for i in range(n)]


def compare(paths, corpus_dir, real=False):
    """EER of each checkpoint's voice embedding (a diarizer's, or a voice.py network's)
    on the usual validation calls and on voice_validation_calls; real: also on the real
    sets of evaluate_real.py (held-out telephone dialogues, AMI, Fish Fillets), to report, never to choose alone."""
    import embedding_eval
    from export import load_checkpoint
    from train import TrainConfig, validation_calls
    sets = {"usual": [(i, c.audio, c.segments) for i, c in enumerate(
                validation_calls(TrainConfig(corpus_dir=corpus_dir, val_meeting_calls=16), 32, seed=777))],
            "voice-only": [(i, c.audio, c.segments) for i, c in enumerate(voice_validation_calls(corpus_dir))]}
    if real:
        import realsets
        sets.update({name: realsets.load_set(name, corpus_dir) for name in ("heldout-phone", "ami", "fillets")})
    for path in paths:
        state = torch.load(path, map_location="cpu", weights_only=False)
        if "net" in state:
            mcfg = ModelConfig(**voice_fields(state))
            net = VoiceNet(mcfg)
            net.load_state_dict(state["net"])
            embed = embedder(net, mcfg)
        else:
            embed = embedding_eval.diarizer_embedder(load_checkpoint(path))
        res = {name: embedding_eval.evaluate_embedder(items, embed) for name, items in sets.items()}
        print(f"{path} (iter {state['iter']}): " + ", ".join(
            f"{n} EER {r['eer']:.4f} clustering error {r['cluster_error']:.4f} ({r['windows']} windows)"
            for n, r in res.items()), flush=True)


def validation_eer(net, mcfg, calls):
    import embedding_eval
    return embedding_eval.evaluate_embedder([(i, c.audio, c.segments) for i, c in enumerate(calls)],
                                            embedder(net, mcfg))


def graft(diarizer_path, voice_path, out_path):
    """The diarizer checkpoint with the voice network of a voice.py checkpoint."""
    state = torch.load(diarizer_path, map_location="cpu", weights_only=False)
    v = torch.load(voice_path, map_location="cpu", weights_only=False)
    mcfg = {**state["model_config"], **voice_fields(v)}
    model = Diarizer(ModelConfig(**mcfg))
    own = {k: val.float() if val.is_floating_point() else val for k, val in state["model"].items()}
    own.update({"voice." + k: val for k, val in v["net"].items()})
    model.load_state_dict(own)
    torch.save({"model": model.state_dict(), "iter": state["iter"], "best_der": state.get("best_der", float("nan")),
                "model_config": mcfg, "train_config": state.get("train_config", {}),
                "voice_train_config": v["train_config"], "voice_iter": v["iter"]}, out_path)
    print(f"wrote {out_path}: {diarizer_path} (iter {state['iter']}) with the voice network of {voice_path} "
          f"(iter {v['iter']})")


def compact(path, to):
    """A voice.py checkpoint's network and class weights in bf16, without the optimizer:
    small enough to commit, so that a run goes on in a later session (--init_from)."""
    s = torch.load(path, map_location="cpu", weights_only=False)
    out = {k: v for k, v in s.items() if k != "optim"}
    out["net"] = {k: v.to(torch.bfloat16) if v.is_floating_point() else v for k, v in s["net"].items()}
    out["classes"] = s["classes"].to(torch.bfloat16)
    torch.save(out, to)
    print(f"wrote {to} ({os.path.getsize(to) / 1e6:.1f} MB): {path} at iter {s['iter']}")


VOICE_FIELDS = ("voice_channels", "voice_dilations", "voice_cmn_frames", "spk_dim")


def voice_fields(state):
    return {k: state["model_config"][k] for k in VOICE_FIELDS}


def main(argv):
    from train import SyntheticChunks, TrainConfig, collate, lr_at, parse_overrides, training_voices, validation_calls
    t, mcfg = VoiceTrainConfig(), ModelConfig(voice_channels=256)
    parse_overrides(argv, t, mcfg)
    if t.graft:
        graft(t.graft, t.voice, t.to)
        return
    if t.compact:
        compact(t.compact, t.to)
        return
    if t.compare:
        compare(t.compare.split(","), t.corpus_dir, t.real)
        return
    torch.set_num_threads(t.threads)
    torch.manual_seed(t.seed)
    os.makedirs(t.out, exist_ok=True)
    tcfg = TrainConfig(corpus_dir=t.corpus_dir, speed_factors=t.speed_factors, formant_factors=t.formant_factors,
                       meeting_share=t.meeting_share, batch_size=t.batch_size, val_meeting_calls=16)
    n_spk = training_voices(tcfg).num_speakers
    net = VoiceNet(mcfg)
    classes = nn.Parameter(torch.randn(n_spk, mcfg.spk_dim) * 0.02)
    opt = torch.optim.AdamW(list(net.parameters()) + [classes], lr=t.lr, weight_decay=t.weight_decay)
    front = MelFrontend(mcfg)
    ckpt = os.path.join(t.out, "ckpt.pt")
    it, best, rewarm_from = 0, float("inf"), None
    start = ckpt if os.path.exists(ckpt) else t.init_from or None
    if start:
        s = torch.load(start, map_location="cpu", weights_only=False)
        net.load_state_dict(s["net"])           # a compact checkpoint's bf16 is copied into float32
        classes.data.copy_(s["classes"])
        it, best = s["iter"], s["best_eer"]
        if "optim" in s:
            opt.load_state_dict(s["optim"])
        else:       # a compact checkpoint: fresh moments, so the learning rate warms up again
            rewarm_from = it
        print(f"resuming from {start} at iter {it} (best val EER {best:.4f})", flush=True)
    print(f"{sum(p.numel() for p in net.parameters()) / 1e6:.2f}M parameters, {n_spk} identities", flush=True)
    val = validation_calls(tcfg, 32, seed=777)

    def save(path):
        torch.save({"net": net.state_dict(), "classes": classes.data, "optim": opt.state_dict(), "iter": it,
                    "best_eer": best, "model_config": {k: getattr(mcfg, k) for k in VOICE_FIELDS},
                    "train_config": asdict(t)}, path + ".tmp")
        os.replace(path + ".tmp", path)

    def evaluate():
        r = validation_eer(net, mcfg, val)
        rec = {"iter": it, "val_eer": r["eer"], "val_cluster_error": r["cluster_error"]}
        print(json.dumps(rec), flush=True)
        return rec

    if t.eval_only:
        evaluate()
        return
    tk = mcfg.tokens
    data = torch.utils.data.DataLoader(SyntheticChunks(mcfg, tcfg, seed=t.seed + it), batch_size=t.batch_size,
                                       num_workers=1, collate_fn=lambda b: collate(b, tk.pad, tk.max_len),
                                       persistent_workers=True, prefetch_factor=4)
    log = open(os.path.join(t.out, "log.jsonl"), "a")
    t0, acc = time.time(), []
    for audio, _, _, spk, _ in data:
        if it >= t.max_iters:
            break
        for g in opt.param_groups:
            g["lr"] = lr_at(it, t) * (1.0 if rewarm_from is None else min(1.0, (it - rewarm_from + 1) / t.warmup))
        net.train()
        with torch.no_grad():
            feats = front(audio)
        emb = net(feats)[:, mcfg.chunk_enc_start:]
        we, wt = window_means(emb, spk)
        fk = spk >= 0
        loss_w = aam_loss(we, wt, classes, t.margin) if len(wt) else emb.sum() * 0
        loss_f = aam_loss(emb[fk], spk[fk], classes, t.margin) if fk.any() else emb.sum() * 0
        loss = loss_w + t.frame_weight * loss_f
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(list(net.parameters()) + [classes], 5.0)
        opt.step()
        it += 1
        acc.append((loss_w.item(), loss_f.item()))
        if it % 25 == 0:
            w, f = np.mean(acc, axis=0)
            rec = {"iter": it, "window": round(float(w), 4), "frame": round(float(f), 4),
                   "lr": opt.param_groups[0]["lr"], "s_per_iter": round((time.time() - t0) / len(acc), 3)}
            print(json.dumps(rec), flush=True)
            log.write(json.dumps(rec) + "\n")
            log.flush()
            t0, acc = time.time(), []
        if it % t.eval_interval == 0:
            rec = evaluate()
            if rec["val_eer"] < best:
                best = rec["val_eer"]
                save(os.path.join(t.out, "best.pt"))
                rec["best"] = True
            save(os.path.join(t.out, f"snap-{it}.pt"))
            log.write(json.dumps(rec) + "\n")
            log.flush()
        if it % t.ckpt_interval == 0:
            save(ckpt)
    save(ckpt)


if __name__ == "__main__":
    main(sys.argv[1:])
