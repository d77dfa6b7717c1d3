"""A linear discriminant voice head, fitted in closed form: measured, not shipped.

The exported `speaker_embedding` is the unit-length output of one linear layer (spk_proj)
over the encoder memory. This script fits Fisher's linear discriminant analysis on that
layer's output (before the unit length) over the frames where one speaker talks in
training calls (train.py's synthetic calls: the training voices with speed copies as
identities, 30 % meeting-room calls), keeps the `dims` most discriminant directions,
whitened within speaker, and folds them into spk_proj. The exported graph keeps its shape,
so both engines would take the new weights unchanged; the decoder and the activity head
do not read spk_proj, so only the recipe's voice decisions change. The checkpoint it
writes carries the recipe values of the exported model given by --like, so that
`export.py --ckpt` makes a model that differs from it only in the voice head.

    models/.venv/bin/python models/lda_head.py --out /tmp/lda/head.pt
    models/.venv/bin/python models/voice.py --real=1 --compare=models/shipped/streamdrz-small.pt,/tmp/lda/head.pt
    cp models/shipped/silero_vad.onnx /tmp/lda/
    models/.venv/bin/python models/export.py --ckpt /tmp/lda/head.pt --out /tmp/lda/streamdrz
    models/.venv/bin/python models/select_checkpoint.py --onnx /tmp/lda/streamdrz --profile-weights 1.0 \\
        --matches 0.4,0.3 --merges 0.7,0.6 --unprompted-merges 0.9
    models/.venv/bin/python models/export.py --restamp /tmp/lda/streamdrz --merge-threshold 0.6
    models/.venv/bin/python models/evaluate_real.py --model /tmp/lda/streamdrz --out /tmp/lda/real.json \
        --sets heldout-phone,ami,fillets-phone
"""
import argparse
import dataclasses

import numpy as np
import scipy.linalg
import torch

from export import OnnxDiarizer, load_checkpoint
from train import SyntheticChunks, TrainConfig


def single_speaker_frames(model, batches, seed, speed_factors, meeting_share):
    """(frames, identity): spk_proj outputs of the chunk frames where one speaker talks."""
    cfg = model.cfg
    tcfg = TrainConfig(held_out="", speed_factors=speed_factors, meeting_share=meeting_share)
    chunks = iter(SyntheticChunks(cfg, tcfg, seed=seed))
    X, Y = [], []
    with torch.no_grad():
        for _ in range(batches):
            batch = [next(chunks) for _ in range(tcfg.batch_size)]
            mem, _ = model.encode(model.frontend(torch.from_numpy(np.stack([b[0] for b in batch]))))
            spk = np.stack([b[3] for b in batch])
            keep = spk >= 0
            X.append(model.spk_proj(mem[:, cfg.chunk_enc_start:]).numpy()[keep].astype(np.float64))
            Y.append(spk[keep])
    return np.concatenate(X), np.concatenate(Y)


def lda(X, Y, dims, reg=1e-3):
    """(V, mean): the `dims` leading generalized eigenvectors of the between- against the
    within-speaker scatter (V.T Sw V = I), the within scatter ridged by reg x its mean
    variance so that a direction no speaker varies in does not dominate."""
    mean = X.mean(0)
    Sw, Sb = np.zeros((X.shape[1],) * 2), np.zeros((X.shape[1],) * 2)
    for c in np.unique(Y):
        z = X[Y == c]
        m = z.mean(0)
        Sw += (z - m).T @ (z - m)
        Sb += len(z) * np.outer(m - mean, m - mean)
    Sw = Sw / len(X) + reg * np.trace(Sw / len(X)) / len(Sw) * np.eye(len(Sw))
    w, V = scipy.linalg.eigh(Sb / len(X), Sw)
    return V[:, np.argsort(w)[::-1][:dims]], mean


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ckpt", default="models/shipped/streamdrz-small.pt")
    ap.add_argument("--like", default="models/shipped/streamdrz", help="exported model whose recipe values to keep")
    ap.add_argument("--out", required=True)
    ap.add_argument("--batches", type=int, default=200, help="batches of 16 training chunks")
    ap.add_argument("--dims", type=int, default=64, help="discriminant directions kept (the rest are zero)")
    ap.add_argument("--seed", type=int, default=99)
    ap.add_argument("--speed-factors", default="0.84,0.92,1.08,1.17")
    ap.add_argument("--meeting-share", type=float, default=0.3)
    a = ap.parse_args()
    torch.set_num_threads(2)
    model = load_checkpoint(a.ckpt)
    X, Y = single_speaker_frames(model, a.batches, a.seed, a.speed_factors, a.meeting_share)
    V, mean = lda(X, Y, a.dims)
    print(f"{len(X)} frames of {len(np.unique(Y))} identities", flush=True)
    W = np.zeros((X.shape[1], X.shape[1]))
    W[: a.dims] = V.T
    state = torch.load(a.ckpt, map_location="cpu", weights_only=False)
    P, b = (state["model"][k].double().numpy() for k in ("spk_proj.weight", "spk_proj.bias"))
    dtype = state["model"]["spk_proj.weight"].dtype
    state["model"]["spk_proj.weight"] = torch.tensor(W @ P, dtype=dtype)
    state["model"]["spk_proj.bias"] = torch.tensor(W @ (b - mean), dtype=dtype)
    state["model"].pop("spk_classes", None)     # training only, and in the old head's space
    like = OnnxDiarizer(a.like).cfg
    state["model_config"] = dataclasses.asdict(dataclasses.replace(like, model_id=like.model_id + f"-lda{a.dims}",
                                                                  n_train_speakers=0))
    torch.save(state, a.out)
    print(f"wrote {a.out}")


if __name__ == "__main__":
    main()
