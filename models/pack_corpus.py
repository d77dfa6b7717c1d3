"""Pack the compact corpus small enough to travel to a machine that has no Debian packages.

    models/.venv/bin/python models/pack_corpus.py pack --max-seconds 150 --out .gpu \
        --init models/shipped/streamdrz-small.pt
    python3 models/pack_corpus.py unpack --dir .gpu --out models/cache/compact   # there

prepare_data.py's compact corpus (8 kHz G.711 mu-law, at most 4 min per identity) is
about 85 MB; a device run's working tree may hold 64 MiB in all. `pack` keeps each
identity's first utterances up to --max-seconds and writes the training corpus and the
noise bank xz-compressed (mu-law bytes shrink to about 0.7), and with --init the weights
to start from in bf16 as init.pt (half the size); `unpack` restores .npz files that
corpus.load_corpus and load_noise read as they are. models/device_train.sh trains from
what `pack` wrote.
"""
import argparse
import glob
import lzma
import os

import numpy as np

SRC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "cache", "compact")


def cut(z, max_seconds):
    """The corpus arrays of z with each speaker's utterances, in corpus order, cut to
    max_seconds (every speaker keeps at least its first utterance)."""
    limit = max_seconds * int(z["sample_rate"])
    held, keep = {}, []
    for u, (spk, n) in enumerate(zip(z["utt_speaker"], z["utt_length"])):
        if held.get(spk, 0) + n <= limit or spk not in held:
            held[spk] = held.get(spk, 0) + int(n)
            keep.append(u)
    off, length = z["utt_offset"][keep], z["utt_length"][keep]
    whole = z["audio"]          # one read: each z[...] reads the array from the file again
    audio = np.concatenate([whole[o:o + n] for o, n in zip(off, length)])
    out = {k: z[k] for k in z.files if k != "audio"}
    out.update(audio=audio, utt_offset=np.concatenate([[0], np.cumsum(length)[:-1]]).astype(np.int64),
               utt_length=length, utt_speaker=z["utt_speaker"][keep])
    return out


def pack(max_seconds, out_dir, src=SRC):
    os.makedirs(out_dir, exist_ok=True)
    with np.load(os.path.join(src, "corpus_train.npz")) as z:
        arrays = cut(z, max_seconds)
    raw = os.path.join(out_dir, "corpus_train.npz")
    np.savez(raw, **arrays)
    for path in (raw, os.path.join(src, "noise.npz")):
        dest = os.path.join(out_dir, os.path.basename(path) + ".xz")
        with open(path, "rb") as f, lzma.open(dest, "wb", preset=6) as g:
            g.write(f.read())
        print(f"wrote {dest} ({os.path.getsize(dest) / 1e6:.1f} MB)")
    os.remove(raw)
    minutes = len(arrays["audio"]) / int(arrays["sample_rate"]) / 60
    speakers = len(set(arrays["utt_speaker"].tolist()))
    print(f"{len(arrays['utt_length'])} utterances, {minutes:.0f} min, {speakers} identities")


def unpack(in_dir, out_dir):
    os.makedirs(out_dir, exist_ok=True)
    for path in sorted(glob.glob(os.path.join(in_dir, "*.npz.xz"))):
        dest = os.path.join(out_dir, os.path.basename(path)[:-3])
        with lzma.open(path, "rb") as f, open(dest, "wb") as g:
            g.write(f.read())
        print(f"wrote {dest}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("action", choices=("pack", "unpack"))
    ap.add_argument("--max-seconds", type=float, default=150.0)
    ap.add_argument("--init", default=None, help="pack: also these weights in bf16, as init.pt")
    ap.add_argument("--dir", default=".gpu", help="unpack: where the .xz files are")
    ap.add_argument("--out", default=".gpu")
    a = ap.parse_args()
    if a.action == "pack":
        pack(a.max_seconds, a.out)
        if a.init:
            from export import save_weights
            save_weights(a.init, os.path.join(a.out, "init.pt"), compact=True)
    else:
        unpack(a.dir, a.out)


if __name__ == "__main__":
    main()
