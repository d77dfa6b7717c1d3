"""Train the streamdrz diarizer on synthetic calls generated on the fly.

    models/.venv/bin/python models/train.py                      # small CPU config
    models/.venv/bin/python models/train.py --out=runs/big --d_model=384 --enc_layers=8 \
        --batch_size=64 --device=cuda                             # same code on a GPU

Any field of TrainConfig or ModelConfig can be overridden as --name=value. Training
resumes from <out>/ckpt.pt when it exists; <out>/resume.pt is the same without the
optimizer, in bf16, small enough to commit, and --init_from=that goes on from its
iteration in another checkout (a short re-warm-up replaces the optimizer's state).
Logs go to <out>/log.jsonl (train loss every log_interval, validation loss and
streaming DER every eval_interval); the checkpoint with the best validation DER is kept
as <out>/best.pt. A run that holds real voices out (the default --held_out: both Fish
Fillets leads) is also scored on real dialogue between them at every evaluation
(realval.py); the best there is kept as <out>/best_real.pt, and the mean of the last
--tail_snaps evaluation snapshots is scored there too (the best as <out>/best_tail.pt).
"""
import copy
import json
import math
import os
import sys
import time
from dataclasses import dataclass, asdict, fields

import numpy as np
import torch
import torch.nn.functional as F

from average import mean_states
from model import ModelConfig, Diarizer
from prompts import training_example, StreamingDiarizer, ChunkOutput
from corpus import load_corpus, load_noise
from voices import TrainingVoices, HELD_OUT
from synth import MEETING, CallSynth, SynthConfig
import der
import realval
from vad import with_vad


@dataclass
class TrainConfig:
    out: str = "models/runs/small"
    corpus_dir: str = "models/cache"
    init_from: str = "models/shipped/streamdrz-small.pt"   # weights to start from when <out> has no checkpoint
    device: str = "cpu"
    autocast_bf16: bool = True       # bf16 matmuls (weights stay fp32): 2.5x faster on AVX512-BF16 CPUs
    threads: int = 1                 # torch threads for the trainer (a worker makes data)
    workers: int = 1
    batch_size: int = 16
    examples_per_call: int = 2       # chunks cut from one synthetic call
    lr: float = 6e-4
    min_lr: float = 6e-5
    warmup: int = 200
    max_iters: int = 40000
    weight_decay: float = 0.05
    grad_clip: float = 1.0
    aux_weight: float = 3.0          # frame-wise speaker activity loss
    overlap_weight: float = 1.0      # ...of a frame where two or more speakers talk, this many times
                                     # a frame's weight (models/overlap_eval.py: the model hardly hears
                                     # the second voice)
    spk_weight: float = 0.5          # speaker-id (AAM softmax) loss on single-speaker frames
    spk_margin: float = 0.1          # additive angular margin (radians)
    match_weight: float = 1.0        # prompt matching loss: chunk frames vs prompt slot embeddings
    sched_start: int = 0             # iteration where warm-up and cosine decay (re)start
    log_interval: int = 25
    eval_interval: int = 500
    ckpt_interval: int = 100
    snap_interval: int = 0           # >0: also a compact snapshot (bf16, no optimizer) this often
    val_calls: int = 16              # 0: no validation in the loop (choose snapshots elsewhere)
    seed: int = 1337
    rewarm: int = 100                # iterations of linear warm-up after the optimizer state restarts
    speed_factors: str = "0.9,1.1"   # speed-perturbed copies of each voice, each a new identity
    formant_factors: str = ""        # formant-shifted copies (same pitch), each a new identity (voices.py)
    held_out: str = ",".join(HELD_OUT)  # identities no training call uses (the real test dialogues)
    meeting_share: float = 0.0       # share of training calls made with synth.MEETING (far mics, overlaps)
    similar_share: float = 0.3       # share of calls whose speakers share the first one's gender (SynthConfig)
    level_dbfs: str = ""             # "lo,hi": the speech level of training calls, dBFS (default: SynthConfig's and
                                     # MEETING's); why wider: 20 dB under the trained levels the validation calls'
                                     # DER triples (models/MODEL_CARD.md, known limits)
    val_meeting_calls: int = 0       # validation also on this many MEETING calls (pooled into one DER)
    real_val: bool = True            # if the run holds real voices out: real validation (realval.py) too
    tail_snaps: int = 4              # >1: real validation also of the mean of the last this many evaluation
                                     # snapshots (best kept as best_tail.pt): one snapshot's score moves by
                                     # several points from the next one's, and their mean scored better


def parse_overrides(argv, *objs):
    for arg in argv:
        if not arg.startswith("--") or "=" not in arg:
            raise SystemExit(f"expected --name=value, got {arg!r}")
        k, v = arg[2:].split("=", 1)
        for o in objs:
            names = {f.name: f.type for f in fields(o)}
            if k in names:
                cur = getattr(o, k)
                setattr(o, k, type(cur)(v) if not isinstance(cur, bool) else v.lower() in ("1", "true", "yes"))
                break
        else:
            raise SystemExit(f"unknown option --{k}")


class SyntheticChunks(torch.utils.data.IterableDataset):
    """Endless prompted training chunks; each worker has its own seeded generator."""

    def __init__(self, mcfg, tcfg, seed):
        self.mcfg, self.tcfg, self.seed = mcfg, tcfg, seed

    def __iter__(self):
        info = torch.utils.data.get_worker_info()
        wid = info.id if info else 0
        rng = np.random.default_rng([self.seed, wid])
        corpus = training_voices(self.tcfg)
        noise_path = os.path.join(self.tcfg.corpus_dir, "noise.npz")
        noise = load_noise(noise_path) if os.path.exists(noise_path) else None
        synth, meeting = training_synths(self.tcfg, corpus, noise)
        ident = {n: i for i, n in enumerate(corpus.speaker_name)}
        while True:
            call = (meeting if rng.random() < self.tcfg.meeting_share else synth).make_call(rng)
            for _ in range(self.tcfg.examples_per_call):
                ex = training_example(self.mcfg, call, rng)
                # identity of the one active speaker per frame, -100 where 0 or 2+ speak
                ids = np.array([ident[call.speaker_names[c]] for c in ex.call_label_of] +
                               [-100] * (self.mcfg.max_speakers - len(ex.call_label_of)))[: self.mcfg.max_speakers]
                single = ex.activity.sum(1) == 1
                spk = np.where(single, ids[ex.activity.argmax(1)], -100).astype(np.int64)
                yield ex.audio, ex.tokens, ex.activity, spk, ex.n_prompted


def training_synths(tcfg, corpus, noise):
    """The call generators of training: default calls and meeting-room calls (synth.MEETING)."""
    base = dict(duration_s=(10.0, 40.0), p_similar_speakers=tcfg.similar_share)
    level = {"level_dbfs": tuple(float(x) for x in tcfg.level_dbfs.split(","))} if tcfg.level_dbfs else {}
    if level and len(level["level_dbfs"]) != 2:
        raise ValueError(f"--level_dbfs={tcfg.level_dbfs!r}: expected LO,HI in dBFS")
    return (CallSynth(corpus, SynthConfig(**base, **level), noise=noise),
            CallSynth(corpus, SynthConfig(**{**base, **MEETING, **level}), noise=noise))


def training_voices(tcfg):
    factors = tuple(float(f) for f in tcfg.speed_factors.split(",") if f)
    formants = tuple(float(f) for f in tcfg.formant_factors.split(",") if f)
    held_out = tuple(n for n in tcfg.held_out.split(",") if n)
    return TrainingVoices(load_corpus(os.path.join(tcfg.corpus_dir, "corpus_train.npz")), factors, held_out, formants)


def held_out_of(tcfg, state):
    """The identities the model being trained never heard: this run's --held_out, less any
    the weights it starts from did hear (a fine-tune of the shipped model has heard the
    fish leads, whatever this run leaves out)."""
    now = [n for n in tcfg.held_out.split(",") if n]
    if state is not None:
        before = set(state["model_config"].get("held_out", "").split(","))
        now = [n for n in now if n in before]
    return ",".join(now)


def real_validation(tcfg, mcfg):
    """(items, VAD) of realval.py for a run that holds real voices out, else ([], None); a
    run that holds none of them out in whole, or whose machine lacks the dialogues' data or
    the VAD file (a GPU machine gets a packed corpus), says so and goes on with the
    synthetic validation alone."""
    if not (tcfg.real_val and mcfg.held_out):
        return [], None
    try:
        return realval.validation_items(mcfg.held_out, tcfg.corpus_dir), realval.load_vad()
    except (FileNotFoundError, ValueError) as e:
        print(f"no real validation: {e}", flush=True)
        return [], None


def collate(batch, pad, max_len):
    audio = torch.from_numpy(np.stack([b[0] for b in batch]))
    toks = torch.full((len(batch), max_len), pad, dtype=torch.long)
    for i, b in enumerate(batch):
        toks[i, : len(b[1])] = torch.tensor(b[1])
    act = torch.from_numpy(np.stack([b[2] for b in batch]))
    spk = torch.from_numpy(np.stack([b[3] for b in batch]))
    n_prompted = torch.tensor([b[4] for b in batch], dtype=torch.long)
    return audio, toks, act, spk, n_prompted


def activity_loss(act_logits, act, overlap_weight=1.0):
    """Frame-wise speaker activity BCE, mean over frames and labels, the frames where two
    or more speakers talk weighted overlap_weight times."""
    weight = 1.0 + (overlap_weight - 1.0) * (act.sum(-1, keepdim=True) >= 2).to(act.dtype)
    return F.binary_cross_entropy_with_logits(act_logits, act, weight=weight.expand_as(act))


def losses(model, audio, toks, act, spk, n_prompted, pad, margin=0.1, overlap_weight=1.0):
    with torch.autocast(device_type=audio.device.type, enabled=False):
        feats = with_vad(model.frontend(audio), audio, model.cfg)   # the mel recipe stays fp32, as at inference
    logits, act_logits, mem = model(feats, toks[:, :-1])
    logits, act_logits = logits.float(), act_logits.float()
    ce = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), toks[:, 1:].reshape(-1), ignore_index=pad)
    bce = activity_loss(act_logits, act, overlap_weight)
    sid = model.speaker_id_loss(mem, spk, margin=margin) if model.cfg.n_train_speakers else ce * 0.0
    match = model.prompt_match_loss(model.speaker_embeddings(mem, feats), audio, act, n_prompted)
    return ce, bce, sid, match


def torch_chunk_runner(model, device):
    """run_chunks for StreamingDiarizer with the PyTorch model (greedy, grammar-masked)."""
    tk = model.cfg.tokens

    @torch.no_grad()
    def run(inputs, n_prompted):
        model.eval()
        audio = torch.from_numpy(inputs).to(device)
        feats = with_vad(model.frontend(audio), audio, model.cfg)
        mem, _ = model.encode(feats)
        seqs, probs = model.generate(feats, n_prompted, mem)
        emb = model.speaker_embeddings(mem, feats).float().cpu().numpy()
        return [ChunkOutput(tk.decode(s, p), e) for s, p, e in zip(seqs, probs, emb)]
    return run


def validation_calls(tcfg, n, seed=4242):
    """n two-party calls of the validation voices, then tcfg.val_meeting_calls meeting-room
    calls (synth.MEETING, 2 to 4 people) of the same voices."""
    corpus = load_corpus(os.path.join(tcfg.corpus_dir, "corpus_val.npz"))
    noise_path = os.path.join(tcfg.corpus_dir, "noise.npz")
    noise = load_noise(noise_path) if os.path.exists(noise_path) else None
    synth = CallSynth(corpus, SynthConfig(), noise=noise)
    rng = np.random.default_rng(seed)
    calls = [synth.make_call(rng, n_speakers=2, duration=32.0) for _ in range(n)]
    meeting = CallSynth(corpus, SynthConfig(**MEETING), noise=noise)
    rng = np.random.default_rng(seed + 1)
    return calls + [meeting.make_call(rng, n_speakers=2 + i % 3, duration=32.0)
                    for i in range(tcfg.val_meeting_calls)]


def call_errors(run_chunks, mcfg, calls, collars=(0.0, 0.25)):
    """Per collar, an (n_calls, 2) array of (error seconds, scored seconds) of the calls
    diarized chunk by chunk with prompts."""
    hyps = StreamingDiarizer(mcfg, run_chunks).diarize_many([c.audio for c in calls])
    out = {}
    for collar in collars:
        rows = []
        for c, h in zip(calls, hyps):
            r = der.score([(s, e, str(l)) for s, e, l in c.segments],
                          [(s, e, str(l)) for s, e, l, _ in h], collar=collar)
            rows.append((r.missed + r.false_alarm + r.confusion, r.total))
        out[collar] = np.array(rows).reshape(-1, 2)
    return out


def streaming_der(run_chunks, mcfg, calls, collars=(0.0, 0.25)):
    """Pooled DER of the calls diarized chunk by chunk with prompts, per collar."""
    return {collar: e[:, 0].sum() / max(e[:, 1].sum(), 1e-9)
            for collar, e in call_errors(run_chunks, mcfg, calls, collars).items()}


def lr_at(it, t):
    it -= t.sched_start
    if it < t.warmup:
        return t.lr * (it + 1) / t.warmup
    p = min(1.0, (it - t.warmup) / max(1, t.max_iters - t.sched_start - t.warmup))
    return t.min_lr + 0.5 * (t.lr - t.min_lr) * (1 + math.cos(math.pi * p))


def main(argv):
    mcfg, tcfg = ModelConfig(), TrainConfig()
    parse_overrides(argv, tcfg, mcfg)
    os.makedirs(tcfg.out, exist_ok=True)
    ckpt_path = os.path.join(tcfg.out, "ckpt.pt")
    torch.set_num_threads(tcfg.threads)
    torch.manual_seed(tcfg.seed)

    it, best, best_real = 0, float("inf"), float("inf")
    state, rewarm_from = None, None
    n_spk = training_voices(tcfg).num_speakers
    start = ckpt_path if os.path.exists(ckpt_path) else tcfg.init_from if os.path.exists(tcfg.init_from) else None
    if start:
        state = torch.load(start, map_location="cpu", weights_only=False)
        mcfg = ModelConfig(**state["model_config"])
        parse_overrides(argv, TrainConfig(), mcfg)      # e.g. --dropout=0 on a resumed run
        it, best = state["iter"], state["best_der"] if start == ckpt_path else float("inf")
        best_real = state.get("best_real_der", float("inf")) if start == ckpt_path else float("inf")
        print(f"resuming from {start} at iter {it} (best val DER {best:.4f})", flush=True)
    if tcfg.spk_weight > 0:
        mcfg.n_train_speakers = n_spk
    mcfg.held_out = held_out_of(tcfg, state)
    model = Diarizer(mcfg).to(tcfg.device)
    decay = [p for n, p in model.named_parameters() if p.dim() >= 2]
    no_decay = [p for n, p in model.named_parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": tcfg.weight_decay},
                             {"params": no_decay, "weight_decay": 0.0}], lr=tcfg.lr, betas=(0.9, 0.98))
    if state is not None:
        own = model.state_dict()     # a head sized for other voices starts afresh
        weights = {k: v for k, v in state["model"].items() if k not in own or own[k].shape == v.shape}
        missing, _ = model.load_state_dict(weights, strict=False)
        if missing or "optim" not in state:   # new head, or shipped weights only: fresh optimizer
            print(f"optimizer state restarted (new parameters: {missing})", flush=True)
            rewarm_from = it if it > 0 else None     # fresh moments at full LR would jolt the weights
        else:
            opt.load_state_dict(state["optim"])
    print(f"{sum(p.numel() for p in model.parameters()) / 1e6:.2f}M parameters; config {asdict(mcfg)}", flush=True)

    tk = mcfg.tokens
    data = torch.utils.data.DataLoader(
        SyntheticChunks(mcfg, tcfg, seed=tcfg.seed + it), batch_size=tcfg.batch_size,
        num_workers=tcfg.workers, collate_fn=lambda b: collate(b, tk.pad, tk.max_len),
        persistent_workers=tcfg.workers > 0, prefetch_factor=4 if tcfg.workers > 0 else None)
    val_calls = validation_calls(tcfg, tcfg.val_calls) if tcfg.val_calls > 0 else []
    real_items, vad = real_validation(tcfg, mcfg) if val_calls else ([], None)
    log = open(os.path.join(tcfg.out, "log.jsonl"), "a")

    def save(path, compact=False):
        # compact: bf16 weights, no optimizer: a checkpoint small enough to commit, so a run
        # goes on in a later session (--init_from=it) after a short re-warm-up
        weights = {k: v.to(torch.bfloat16) if compact and v.is_floating_point() else v
                   for k, v in model.state_dict().items()}
        torch.save({"model": weights, "iter": it, "best_der": best, "best_real_der": best_real,
                    "model_config": asdict(mcfg),
                    "train_config": asdict(tcfg), **({} if compact else {"optim": opt.state_dict()})}, path + ".tmp")
        os.replace(path + ".tmp", path)

    t0, acc = time.time(), []
    for audio, toks, act, spk, n_prompted in data:
        if it >= tcfg.max_iters:
            break
        for g in opt.param_groups:
            g["lr"] = lr_at(it, tcfg) * (1.0 if rewarm_from is None else min(1.0, (it - rewarm_from + 1) / tcfg.rewarm))
        model.train()
        with torch.autocast(device_type=tcfg.device.split(":")[0], dtype=torch.bfloat16, enabled=tcfg.autocast_bf16):
            ce, bce, sid, match = losses(model, audio.to(tcfg.device), toks.to(tcfg.device), act.to(tcfg.device),
                                         spk.to(tcfg.device), n_prompted.to(tcfg.device), tk.pad, tcfg.spk_margin,
                                         tcfg.overlap_weight)
        loss = ce + tcfg.aux_weight * bce + tcfg.spk_weight * sid + tcfg.match_weight * match
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), tcfg.grad_clip)
        opt.step()
        it += 1
        acc.append((ce.item(), bce.item(), sid.item(), match.item()))
        if it % tcfg.log_interval == 0:
            ce_m, bce_m, sid_m, match_m = np.mean(acc, axis=0)
            dt = (time.time() - t0) / len(acc)
            rec = {"iter": it, "ce": round(float(ce_m), 4), "bce": round(float(bce_m), 4), "spk": round(float(sid_m), 4),
                   "match": round(float(match_m), 4),
                   "lr": lr_at(it, tcfg), "s_per_iter": round(dt, 3)}
            print(json.dumps(rec), flush=True)
            log.write(json.dumps(rec) + "\n")
            log.flush()
            t0, acc = time.time(), []
        if tcfg.snap_interval > 0 and it % tcfg.snap_interval == 0:
            save(os.path.join(tcfg.out, f"snap-{it}.pt"), compact=True)
        if val_calls and it % tcfg.eval_interval == 0:
            te = time.time()
            ders = streaming_der(torch_chunk_runner(model, tcfg.device), mcfg, val_calls)
            d, d0 = ders[0.25], ders[0.0]
            rec = {"iter": it, "val_der_collar025": round(d, 4), "val_der_collar0": round(d0, 4),
                   "eval_s": round(time.time() - te, 1)}
            if d < best:
                best = d
                save(os.path.join(tcfg.out, "best.pt"))
                rec["best"] = True
            if real_items:
                r = realval.real_der(torch_chunk_runner(model, tcfg.device), mcfg, real_items, vad)
                rec.update({"real_val_der_collar025": round(r[0.25], 4), "real_val_der_collar0": round(r[0.0], 4)})
                if r[0.25] < best_real:
                    best_real = r[0.25]
                    save(os.path.join(tcfg.out, "best_real.pt"))
                    rec["best_real"] = True
            save(os.path.join(tcfg.out, f"snap-{it}.pt"))      # candidates for select_checkpoint.py
            if real_items and tcfg.tail_snaps > 1:
                rec.update(tail_validation(model, mcfg, tcfg, it, real_items, vad))
            rec["eval_s"] = round(time.time() - te, 1)
            print(json.dumps(rec), flush=True)
            log.write(json.dumps(rec) + "\n")
            log.flush()
            t0 = time.time()
        if it % tcfg.ckpt_interval == 0:
            save(ckpt_path)
            save(os.path.join(tcfg.out, "resume.pt"), compact=True)
    save(ckpt_path)


def tail_snapshots(out, it, interval, n):
    """The paths of the evaluation snapshots at it, it - interval, ... that exist, at most n."""
    paths = [os.path.join(out, f"snap-{it - k * interval}.pt") for k in range(n)]
    return [p for p in paths if os.path.exists(p)]


def tail_validation(model, mcfg, tcfg, it, real_items, vad):
    """Real validation of the mean of the last tcfg.tail_snaps evaluation snapshots (average.py's
    tail average), kept as <out>/best_tail.pt when it is the best so far; the log record's fields."""
    paths = tail_snapshots(tcfg.out, it, tcfg.eval_interval, tcfg.tail_snaps)
    if len(paths) < 2:
        return {}
    states = [torch.load(p, map_location="cpu", weights_only=False) for p in paths]
    mean = mean_states([s["model"] for s in states])
    twin = copy.deepcopy(model)
    twin.load_state_dict(mean)
    r = realval.real_der(torch_chunk_runner(twin, tcfg.device), mcfg, real_items, vad)
    rec = {"real_val_tail_der_collar025": round(r[0.25], 4), "real_val_tail_der_collar0": round(r[0.0], 4),
           "tail_snaps": len(paths)}
    best_path = os.path.join(tcfg.out, "best_tail.pt")
    best = torch.load(best_path, map_location="cpu", weights_only=False)["real_der"] if os.path.exists(best_path) \
        else float("inf")
    if r[0.25] < best:
        torch.save({"model": mean, "iter": it, "real_der": r[0.25], "averaged": paths,
                    "model_config": asdict(mcfg), "train_config": asdict(tcfg)}, best_path + ".tmp")
        os.replace(best_path + ".tmp", best_path)
        rec["best_tail"] = True
    return rec


if __name__ == "__main__":
    main(sys.argv[1:])
