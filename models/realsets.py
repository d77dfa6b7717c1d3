"""Real speech for evaluation: loaders that return (file_id, audio, reference) triples.

    from realsets import ami, fillets_dialogues
    items = ami() + fillets_dialogues("models/cache")

Every item is (file_id, float32 mono audio at 16 kHz, [(start, end, speaker)] seconds).

Sets
  ami            nine 30 s excerpts of real AMI meetings (far-field, 2-4 people, overlap),
                 realsets.AMI_DIR (next to the checkout). AMI Meeting Corpus (Carletta et al., 2005), as
                 distributed in the test data of pyannote.audio, licensed CC BY 4.0: keep
                 this attribution wherever the files or numbers derived from them appear.
  fillets        two-person dialogues rebuilt from the Czech Fish Fillets game: the order of
                 the lines from each level's script/<level>/code.lua (addm = small fish, F;
                 addv = big fish, M), the recorded lines of fillets-ng-data-cs, joined with
                 seeded pauses, a few short overlaps and a low noise floor.
  fillets-phone  the same dialogues through a telephone channel: 8 kHz, 300-3400 Hz,
                 G.711 mu-law, back to 16 kHz.
  heldout-phone  24 two-person dialogues of the real voices of the corpus's test split
                 (prepare_data.TEST_FAMILIES: the telephone prompt voices Armelle, fr, and
                 July, es-CO, and the Danish Tux Paint reader), which no model trains on,
                 through the same telephone channel; reference turns split at pauses of
                 0.3 s or more inside a recording (`corpus_dialogues`).
  heldout-single 24 recordings of one of the same voices alone, 3 to 45 s, through the same
                 channel (`corpus_monologues`): one voice must keep one label.

CAVEAT: the two fish leads (fillets_cs_small_fish, fillets_cs_big_fish) are TRAINING
identities of the shipped model (models/DATA_PREP.md, split table), so for it the fillets
sets measure real dialogue conditions (real recorded turns, real prosody, two real
voices), not unseen voices. train.py now holds both out by default (voices.HELD_OUT), and
a model's contract says what its training held out (train.held_out): `fillets_caveat`
words each report accordingly.
"""
import glob
import os
import re

import numpy as np
import soundfile as sf
from scipy.signal import butter, resample_poly, sosfilt

import der

SR = 16000
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
AMI_DIR = os.path.normpath(os.path.join(REPO, "..", "shared", "realspeech"))
FILLETS = "usr/share/games/fillets-ng"
FISH = {"m": "small_fish", "v": "big_fish"}     # reference speaker names
FISH_IDENTITIES = ("fillets_cs_small_fish", "fillets_cs_big_fish")


def fillets_caveat(cfg):
    """What the fillets sets measure for the model of `cfg`: unseen voices only if training
    held both fish leads out (the contract's train.held_out, from train.py --held_out)."""
    if set(FISH_IDENTITIES) <= set(cfg.held_out.split(",")):
        return "fillets: both fish leads were held out of this model's training: real dialogue of unseen voices"
    return "fillets: both fish leads are training identities of this model: real dialogue conditions, not unseen voices"


def to_16k(audio, sr):
    """Mono float32 at 16 kHz."""
    audio = np.asarray(audio, dtype=np.float32)
    if audio.ndim == 2:
        audio = audio.mean(axis=1)
    if sr != SR:
        g = np.gcd(int(sr), SR)
        audio = resample_poly(audio, SR // g, int(sr) // g).astype(np.float32)
    return audio


def ami(dir=AMI_DIR):
    """The nine AMI excerpts (CC BY 4.0, see the module docstring), file order."""
    out = []
    for wav in sorted(glob.glob(os.path.join(dir, "*.wav"))):
        fid = os.path.splitext(os.path.basename(wav))[0]
        audio, sr = sf.read(wav, dtype="float32")
        ref = der.read_rttm(os.path.join(dir, fid + ".rttm")).get(fid, [])
        out.append((fid, to_16k(audio, sr), ref))
    return out


# ---------------------------------------------------------------------------------
# Fish Fillets dialogues

_ADD = re.compile(r'\badd([mv])\s*\(')
_STR = re.compile(r'"([^"]+)"(\s*\.\.\s*random\(\s*(\d+)\s*\))?')


def parse_code_lua(text):
    """Dialogue lines of one level's code.lua in file order: (speaker 'm'/'v', id,
    variants). A literal id has variants 1; "id"..random(n) has variants n (the files
    are id0..id{n-1}). Calls whose id is built any other way are skipped, as are the
    other characters' lines (their letters may name different people per level)."""
    out = []
    for line in text.splitlines():
        line = line.split("--", 1)[0]                 # Lua comment
        for m in _ADD.finditer(line):
            s = _STR.search(line, m.end())
            if s is None:
                continue
            rest = line[s.end():].lstrip()
            if not rest.startswith(")"):              # e.g. "id"..variable: unknown file
                continue
            out.append((m.group(1), s.group(1), int(s.group(3)) if s.group(3) else 1))
    return out


def trim_silence(audio, sr=SR, frame=0.02, floor_db=35.0):
    """The audio from the first to the last 20 ms frame within floor_db of the loudest
    frame: the reference turn must start where the voice does, not the recording."""
    n = int(frame * sr)
    k = len(audio) // n
    if k == 0:
        return audio
    e = 10 * np.log10(np.mean(audio[: k * n].reshape(k, n).astype(np.float64) ** 2, axis=1) + 1e-12)
    loud = np.flatnonzero(e > e.max() - floor_db)
    return audio[loud[0] * n: (loud[-1] + 1) * n]


def level_lines(cache_dir, level, rng):
    """(speaker, path) of a level's lead lines in script order, each recording once;
    random variants drawn with rng; lines without a Czech recording dropped."""
    code = os.path.join(cache_dir, "pkgs", "fillets-ng-data", FILLETS, "script", level, "code.lua")
    sound = os.path.join(cache_dir, "pkgs", "fillets-ng-data-cs", FILLETS, "sound", level, "cs")
    with open(code, encoding="utf-8", errors="replace") as f:
        lines = parse_code_lua(f.read())
    out, seen = [], set()
    for spk, name, variants in lines:
        if variants > 1:
            name = name + str(int(rng.integers(variants)))
        path = os.path.join(sound, name + ".ogg")
        if path not in seen and os.path.exists(path):
            seen.add(path)
            out.append((spk, path))
    return out


def plan_dialogues(lines, rng, min_seconds, max_seconds, min_each=3.0):
    """Consecutive runs of (speaker, path) lines of one level, each about a target length
    drawn in [min_seconds, max_seconds] (from the files' durations), with both fish
    speaking at least min_each seconds."""
    out, cur, dur, target = [], [], 0.0, rng.uniform(min_seconds, max_seconds)
    for spk, path in lines:
        d = sf.info(path).duration
        if cur and dur + d > max_seconds:
            cur, dur = [], 0.0                        # would overshoot: start afresh
        cur.append((spk, path, d))
        dur += d
        if dur >= target:
            each = {s: sum(x[2] for x in cur if x[0] == s) for s in FISH}
            if min(each.values()) >= min_each:
                out.append([(s, p) for s, p, _ in cur])
            cur, dur, target = [], 0.0, rng.uniform(min_seconds, max_seconds)
    return out


def join_lines(lines, rng, p_overlap=0.15):
    """Audio and reference of one Fish Fillets dialogue from its (speaker letter, path)
    lines: `join_clips` of the recordings."""
    clips = []
    for spk, path in lines:
        audio, sr = sf.read(path, dtype="float32")
        clips.append((FISH[spk], to_16k(audio, sr)))
    return join_clips(clips, rng, p_overlap)


def join_clips(clips, rng, p_overlap=0.15, split_pauses=False):
    """Audio and reference of one dialogue from its (speaker, 16 kHz audio) lines in turn
    order: trimmed lines, seeded pauses of 0.2-1.0 s, now and then (p_overlap, at a change
    of speaker) the next line starting 0.2-0.6 s before the previous one ends, 0.3-1.0 s of
    lead-in and tail, and a noise floor 45-55 dB under the speech. A line is one reference
    turn, or with split_pauses one per stretch of its speech (synth.speech_spans: pauses of
    0.3 s or more inside it are not speech, as in the synthetic calls), for recordings
    that pause inside a line (telephone prompts read in parts)."""
    clips = [(spk, trim_silence(clip)) for spk, clip in clips]
    t, starts, prev = rng.uniform(0.3, 1.0), [], None
    for spk, clip in clips:
        d = len(clip) / SR
        if prev is not None:
            gap = rng.uniform(0.2, 1.0)
            if prev[0] != spk and rng.random() < p_overlap:
                gap = -min(rng.uniform(0.2, 0.6), 0.4 * d, 0.4 * (prev[2] - prev[1]))
            t = prev[2] + gap
        starts.append(t)
        prev = (spk, t, t + d)
    ref = [(round(t + a / SR, 3), round(t + b / SR, 3), spk)
           for t, (spk, clip) in zip(starts, clips) for a, b in line_turns(clip, split_pauses)]
    total = prev[2] + rng.uniform(0.3, 1.0)
    audio = np.zeros(int(np.ceil(total * SR)) + 1, dtype=np.float32)
    for t, (_, clip) in zip(starts, clips):
        i = int(round(round(t, 3) * SR))             # where the reference says the line starts
        audio[i: i + len(clip)] += clip
    speech = np.concatenate([c for _, c in clips])
    rms = float(np.sqrt(np.mean(speech.astype(np.float64) ** 2)))
    audio *= 0.07 / max(rms, 1e-6)                   # speech at about -23 dBFS
    audio += (0.07 * 10 ** (-rng.uniform(45, 55) / 20) * rng.standard_normal(len(audio))).astype(np.float32)
    return np.clip(audio, -1.0, 1.0).astype(np.float32), ref


def line_turns(clip, split_pauses):
    """[(start, end)] samples of a trimmed line that are speech: all of it, or its stretches."""
    if not split_pauses:
        return [(0, len(clip))]
    from synth import SynthConfig, speech_spans
    spans = speech_spans(clip, SynthConfig())
    return [(0, len(clip))] if spans is None else [(int(a), int(b)) for a, b in spans]


def pcm16(audio):
    """The audio as a 16-bit WAV holds it, so that an engine reading the rendered file
    (scripts/compare-real.sh) hears the very samples this module scored: a quantization
    step below -90 dBFS still moves this set's DER by over a point, as one streaming
    decision flips another."""
    return (np.round(np.clip(audio, -1.0, 32767 / 32768) * 32768) / 32768).astype(np.float32)


def mulaw(x, mu=255):
    """G.711-style mu-law round trip, 8 bits (the continuous mu-law curve, quantized)."""
    y = np.sign(x) * np.log1p(mu * np.abs(x)) / np.log1p(mu)
    q = np.round((y + 1) / 2 * 255) / 255 * 2 - 1
    return (np.sign(q) * np.expm1(np.abs(q) * np.log1p(mu)) / mu).astype(np.float32)


def telephone(audio):
    """16 kHz -> 8 kHz, 300-3400 Hz band, mu-law, -> 16 kHz."""
    x = resample_poly(audio, 1, 2)
    x = sosfilt(butter(4, [300, 3400], btype="bandpass", fs=8000, output="sos"), x)
    x = mulaw(np.clip(x, -1.0, 1.0))
    return resample_poly(x, 2, 1).astype(np.float32)


def fillets_dialogues(cache_dir=os.path.join(REPO, "models", "cache"), n=20, seed=2026,
                      min_seconds=30.0, max_seconds=60.0, phone=False):
    """About n two-person dialogues of min..max seconds from the Czech Fish Fillets game,
    at most one per level (levels drawn with `seed`), deterministic for a given seed.
    phone=True passes each through `telephone` (same references). Both fish are TRAINING
    identities of the shipped model: see the module docstring."""
    scripts = sorted(glob.glob(os.path.join(cache_dir, "pkgs", "fillets-ng-data", FILLETS, "script", "*", "code.lua")))
    if not scripts:
        raise FileNotFoundError(f"no Fish Fillets scripts under {cache_dir}/pkgs: run models/prepare_data.py")
    rng = np.random.default_rng(seed)
    plans = []
    for code in scripts:
        level = os.path.basename(os.path.dirname(code))
        dialogues = plan_dialogues(level_lines(cache_dir, level, rng), rng, min_seconds, max_seconds)
        if dialogues:
            plans.append((level, dialogues[int(rng.integers(len(dialogues)))]))
    keep = sorted(rng.choice(len(plans), min(n, len(plans)), replace=False))
    out = []
    for i in keep:
        level, lines = plans[i]
        # one generator per dialogue: its audio does not depend on which others are built
        audio, ref = join_lines(lines, np.random.default_rng([seed, int(i)]))
        name = f"fillets-{level}"
        if phone:
            audio, name = telephone(audio), f"fillets-phone-{level}"
        out.append((name, audio, ref))
    return out


WORD_LISTS = ("ktuberling_", "klettres_")    # corpus voices that read lists of words or letters


def corpus_dialogues(corpus_path, name="dialogue", n=24, seed=2027, both_real=True, min_seconds=30.0,
                     max_seconds=60.0, min_line=1.0, min_voice=30.0, only=None):
    """n two-person dialogues of the voices of one split of the training corpus (prepare_data.py's
    corpus_<split>.npz), through the telephone channel: one voice from each of two identity
    families (a family may be one person under several names), both real recordings
    (both_real) or at least one; the family pairs taken in turn, the voice within a family drawn by its
    seconds of speech. Turns of one to three lines (recordings of at least min_line s) of
    one speaker, drawn without repeats within a dialogue where the voice has enough,
    alternate until the dialogue reaches a length drawn in [min_seconds, max_seconds];
    joined by `join_clips`. Voices with under min_voice s of such lines are left out, and
    so are the word and letter lists of the children's games (KTuberling, KLettres):
    single words and spelled letters apart are not talk, and the VAD rightly hears much
    of them as no speech.
    only: the identity names that may speak (None: all).
    File ids are name-NN; reference speakers are the corpus's identity names. Why the telephone channel: the
    sources differ in bandwidth (8 kHz prompts, wideband readers), and a band that tells
    the speaker would make the task easy and the number a lie."""
    from corpus import load_corpus
    c = load_corpus(corpus_path)
    lines, seconds, voices = talking_voices(c, min_line, min_voice, only)
    families = sorted({c.speaker_family[i] for i in voices})
    members = {f: [i for i in voices if c.speaker_family[i] == f] for f in families}
    real = {f for f in families if any(c.speaker_kind[i] == "real" for i in members[f])}
    pairs = [(f, g) for k, f in enumerate(families) for g in families[k + 1:]
             if (f in real and g in real) or (not both_real and (f in real or g in real))]
    if not pairs:
        raise ValueError(f"{corpus_path}: no two families with a real voice and {min_voice} s of lines")
    rng = np.random.default_rng(seed)
    out = []
    for k in range(n):
        pair = []
        for f in pairs[k % len(pairs)]:
            cands = [i for i in members[f] if f not in real or c.speaker_kind[i] == "real"]
            w = np.array([seconds[i] for i in cands])
            pair.append(cands[int(rng.choice(len(cands), p=w / w.sum()))])
        clips = dialogue_lines(c, pair, lines, rng, rng.uniform(min_seconds, max_seconds))
        audio, ref = join_clips(clips, np.random.default_rng([seed, k]), split_pauses=True)
        out.append((f"{name}-{k:02d}", pcm16(telephone(audio)), ref))
    return out


def talking_voices(c, min_line, min_voice, only):
    """(lines, seconds, voices) of a corpus: per identity its recordings of at least
    min_line s and their seconds; the identities with min_voice s of them that are not a
    word list and, given `only`, are named there."""
    lines = {i: [int(u) for u in c.speaker_utts[i] if c.duration_s(int(u)) >= min_line] for i in range(c.num_speakers)}
    seconds = {i: sum(c.duration_s(u) for u in us) for i, us in lines.items()}
    voices = [i for i in lines if seconds[i] >= min_voice and not c.speaker_name[i].startswith(WORD_LISTS)
              and (only is None or c.speaker_name[i] in only)]
    return lines, seconds, voices


def corpus_monologues(corpus_path, name="single", n=24, seed=2028, min_seconds=3.0, max_seconds=45.0,
                      min_line=1.0, min_voice=30.0, only=None):
    """n recordings of one voice alone, of the real voices `corpus_dialogues` would pair
    (the same rules: lines of at least min_line s, min_voice s of them, no word lists),
    in turn: lines drawn without repeats until a length drawn in [min_seconds,
    max_seconds], joined by `join_clips` (pauses and noise floor as in the dialogues),
    through the telephone channel. Why: a party heard alone (a long answer, a voicemail,
    the other side on mute) must keep one label, and no two-party set asks that of a model.
    only: the identity names that may speak (None: all). File ids are name-NN; the
    reference speaker is the corpus's identity name."""
    from corpus import load_corpus
    c = load_corpus(corpus_path)
    lines, _, voices = talking_voices(c, min_line, min_voice, only)
    voices = [i for i in voices if c.speaker_kind[i] == "real"]
    if not voices:
        raise ValueError(f"{corpus_path}: no real voice with {min_voice} s of lines")
    rng = np.random.default_rng(seed)
    out = []
    for k in range(n):
        i = voices[k % len(voices)]
        target, clips = rng.uniform(min_seconds, max_seconds), []
        for u in rng.permutation(lines[i]):
            clips.append((c.speaker_name[i], c.utterance(int(u)).astype(np.float32)))
            if sum(len(a) for _, a in clips) / SR >= target:
                break
        audio, ref = join_clips(clips, np.random.default_rng([seed, k]), split_pauses=True)
        out.append((f"{name}-{k:02d}", pcm16(telephone(audio)), ref))
    return out


def dialogue_lines(c, pair, lines, rng, target):
    """(identity name, audio) lines of one dialogue between the two voices `pair`."""
    pools = {i: list(rng.permutation(lines[i])) for i in pair}
    who, clips, total = int(rng.integers(2)), [], 0.0
    while total < target:
        i = pair[who]
        for _ in range(int(rng.integers(1, 4))):
            if not pools[i]:
                pools[i] = list(rng.permutation(lines[i]))
            u = pools[i].pop()
            clips.append((c.speaker_name[i], c.utterance(u).astype(np.float32)))
            total += c.duration_s(u)
        who = 1 - who
    return clips


def load_set(name, cache_dir=os.path.join(REPO, "models", "cache")):
    """'ami', 'fillets', 'fillets-phone', 'heldout-phone' (real voices no model trains on)
    or 'heldout-single' (the same voices, one at a time)."""
    if name == "ami":
        return ami()
    if name in ("heldout-phone", "heldout-single"):
        path = os.path.join(cache_dir, "corpus_test.npz")
        if not os.path.exists(path):
            raise FileNotFoundError(f"{path}: run models/prepare_data.py")
        return corpus_dialogues(path, name) if name == "heldout-phone" else corpus_monologues(path, name)
    if name in ("fillets", "fillets-phone"):
        return fillets_dialogues(cache_dir, phone=name == "fillets-phone")
    raise ValueError(f"unknown real set {name!r}")
