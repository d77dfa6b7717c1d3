"""Build the speech corpus and noise bank for synthetic call generation.

Run from the repository root (takes about 15-30 minutes on 2 cores, resumable):

    models/.venv/bin/python models/prepare_data.py

Reads: Debian packages (apt-get download + dpkg-deb -x), espeak-ng and flite.
Writes, all under models/cache/ (git-ignored):
    debs/, pkgs/<package>/        downloaded and unpacked packages
    tts/<identity>/*.wav          rendered synthetic voices
    utts/<identity>.npz           processed 16 kHz utterances of one identity
    manifest.jsonl                one line per utterance
    identities.json               one entry per speaker identity, with its split
    corpus_{train,val,test}.npz   16 kHz int16 corpora (format: see corpus.py)
    noise.npz                     hold music and ambience, 16 kHz int16
    compact/                      the same files as 8 kHz G.711 mu-law, <= 4 min per identity

Sources are SPEECH_PACKAGES and NOISE_PACKAGES, aliases ALIASES, below; the split is
fixed by the TEST_FAMILIES and VAL_FAMILIES lists below (see models/DATA_PREP.md).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zlib
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from multiprocessing import Pool
from pathlib import Path

import numpy as np
import soundfile as sf
from scipy.signal import resample_poly

from corpus import mulaw_encode

CACHE = Path(__file__).resolve().parent / "cache"
SAMPLE_RATE = 16000
COMPACT_RATE = 8000
TARGET_DBFS = -23.0
PEAK_LIMIT = 0.98
MIN_UTT_S = 0.4
MAX_UTT_S = 15.0
COMPACT_MAX_S_PER_IDENTITY = 240.0
NOISE_MUSIC_CAP_S = 480.0
NOISE_AMBIENCE_CAP_S = 120.0
SEED = 20240611

SPEECH_PACKAGES = [
    "asterisk-core-sounds-en-wav",
    "asterisk-core-sounds-es-wav",
    "asterisk-core-sounds-it-wav",
    "asterisk-prompt-it-menardi-wav",
    "asterisk-prompt-es-co",
    "asterisk-prompt-fr-armelle",
    "fillets-ng-data-cs",
    "fillets-ng-data",
    "tuxpaint-stamps-default",
    "ktuberling-data",
    "klettres-data",
    "pocketsphinx-testdata",
]
NOISE_PACKAGES = ["asterisk-moh-opsound-wav", "sonic-pi-samples"]
TOOLS = {"sox": "sox", "espeak-ng": "espeak-ng", "flite": "flite"}  # executable -> Debian package

# Tux Paint readers usable for training/testing; other languages are reserved for evaluation.
TUXPAINT_LANGS = {"ro", "es", "be", "ru", "fr", "da", "lt", "en", "nl", "ml"}

# ---------------------------------------------------------------- identities and splits

# One person under several names: every raw voice key maps to one identity.
ALIASES = {
    "asterisk:en_US_f_Allison": "allison",
    "asterisk:es_MX_f_Allison": "allison",
    "flite:kal": "kevin",
    "flite:kal16": "kevin",
    "festival:kal_diphone": "kevin",
    "flite:slt": "slt",
    "festival:cmu_us_slt_arctic_hts": "slt",
    "festival:nsk_hi": "nsk",
    "festival:nsk_mr": "nsk",
    "festival:nsk_te": "nsk",
}


def canonical_identity(raw_key: str) -> str:
    """Voice key such as 'asterisk:es_MX_f_Allison' -> identity name ('allison')."""
    if raw_key in ALIASES:
        return ALIASES[raw_key]
    return re.sub(r"[^a-z0-9]+", "_", raw_key.lower()).strip("_")


@dataclass
class Identity:
    name: str
    kind: str  # real | tts
    lang: str  # comma-separated language codes
    gender: str  # F | M | ?
    family: str  # the unit of splitting: aliases, TTS voice families, possibly-same readers
    minor: bool = False  # Fish Fillets minor character (may be voiced by a lead): never in test
    gender_source: str = "metadata"
    notes: str = ""


# Held-out families. Volunteer readers of one language (Tux Paint, KTuberling, KLettres) form one
# family because they may be the same person; a TTS family holds every pitch/speed copy of a voice.
TEST_FAMILIES = [
    "armelle",  # real, F, fr-FR, telephone prompts
    "july",  # real, F, es-CO, telephone prompts
    "reader_da",  # real: Tux Paint da reader (+ KTuberling/KLettres da)
    "reader_nl",  # real: Tux Paint nl reader (+ KTuberling/KLettres nl)
    "espeak_m3",  # tts: espeak-ng variant m3 (fr), both pitch buckets
    "espeak_f4",  # tts: espeak-ng variant f4 (it), both pitch buckets
    "flite_awb",  # tts: flite awb (Scottish English male, from a real diphone/CG voice)
]
VAL_FAMILIES = [
    "reader_be",  # real: Tux Paint be reader
    "reader_lt",  # real: Tux Paint lt reader (+ KTuberling/KLettres lt)
    "espeak_m6",  # tts
    "espeak_f5",  # tts
    "festival_czech_machac",  # tts: festival Czech male diphone voice
]


def assign_splits(identities: list[Identity]) -> dict[str, str]:
    """Identity name -> 'train' | 'val' | 'test', decided per family from the fixed lists.

    Guarantees: all members of a family share a split; no minor character is in test.
    """
    test, val = set(TEST_FAMILIES), set(VAL_FAMILIES)
    if test & val:
        raise ValueError(f"families both in test and val: {sorted(test & val)}")
    splits = {}
    for ident in identities:
        split = "test" if ident.family in test else "val" if ident.family in val else "train"
        if split == "test" and ident.minor:
            raise ValueError(f"minor character {ident.name} would be in the test split")
        splits[ident.name] = split
    return splits


# ---------------------------------------------------------------- sources


@dataclass
class Clip:
    path: str  # absolute path of an audio file
    source: str  # package/relative path, for the manifest
    lang: str
    join_short: bool = False  # single words: concatenate neighbours into 2-6 s utterances


@dataclass
class SourceSet:
    identity: Identity
    clips: list[Clip] = field(default_factory=list)


def pkg_root(pkg: str) -> Path:
    return CACHE / "pkgs" / pkg


def _rel(pkg: str, path: Path) -> str:
    return f"{pkg}/{path.relative_to(pkg_root(pkg))}"


def _add(sets: dict[str, SourceSet], ident: Identity, clip: Clip) -> None:
    if ident.name not in sets:
        sets[ident.name] = SourceSet(ident)
    else:
        known = sets[ident.name].identity
        if lang_missing := [l for l in ident.lang.split(",") if l not in known.lang.split(",")]:
            known.lang = ",".join(known.lang.split(",") + lang_missing)
    sets[ident.name].clips.append(clip)


ASTERISK = {
    # package: (voice folder, identity family, lang, gender)
    "asterisk-core-sounds-en-wav": ("en_US_f_Allison", "allison", "en", "F"),
    "asterisk-core-sounds-es-wav": ("es_MX_f_Allison", "allison", "es", "F"),
    "asterisk-core-sounds-it-wav": ("it_IT_m_Carlo", "carlo", "it", "M"),
    "asterisk-prompt-it-menardi-wav": ("it_IT_f_Menardi", "paola", "it", "F"),
    "asterisk-prompt-es-co": ("es", "july", "es", "F"),
    "asterisk-prompt-fr-armelle": ("fr", "armelle", "fr", "F"),
}
SHORT_WORD_DIRS = {"digits", "letters", "phonetic", "ICAO", "alpha", "syllab"}


def scan_asterisk(sets: dict[str, SourceSet]) -> None:
    for pkg, (folder, family, lang, gender) in ASTERISK.items():
        base = pkg_root(pkg) / "usr/share/asterisk/sounds" / folder
        ident = Identity(ALIASES.get(f"asterisk:{folder}", family), "real", lang, gender, family)
        for path in sorted(base.rglob("*")):
            if path.suffix not in (".wav", ".gsm") or "silence" in path.parts:
                continue
            short = bool(SHORT_WORD_DIRS & set(path.relative_to(base).parts[:-1]))
            _add(sets, ident, Clip(str(path), _rel(pkg, path), lang, short))


def fillets_letter(stem: str) -> str | None:
    """Speaker letter of a Fish Fillets sound id ('vit-m-hlava' -> 'm'); None if not dialogue."""
    parts = stem.split("-")
    if len(parts) >= 3:
        return parts[1]
    if len(parts) == 2 and parts[0] in ("m", "v"):
        return parts[0]
    return None


def scan_fillets(sets: dict[str, SourceSet]) -> None:
    for pkg, lang in (("fillets-ng-data-cs", "cs"), ("fillets-ng-data", "en")):
        base = pkg_root(pkg) / "usr/share/games/fillets-ng/sound"
        for path in sorted(base.glob(f"*/{lang}/*.ogg")):
            letter = fillets_letter(path.stem)
            if letter is None:
                continue
            if lang == "cs" and letter == "m":
                ident = Identity("fillets_cs_small_fish", "real", "cs", "F", "fillets_cs_small_fish")
            elif lang == "cs" and letter == "v":
                ident = Identity("fillets_cs_big_fish", "real", "cs", "M", "fillets_cs_big_fish")
            else:
                name = f"fillets_{lang}_minor_{letter}"
                ident = Identity(name, "real", lang, "?", name, minor=True,
                                 notes="minor character; letter may denote different characters per level")
            _add(sets, ident, Clip(str(path), _rel(pkg, path), lang))


def scan_tuxpaint(sets: dict[str, SourceSet]) -> None:
    pkg = "tuxpaint-stamps-default"
    for path in sorted((pkg_root(pkg) / "usr/share/tuxpaint/stamps").rglob("*_desc_*.ogg")):
        m = re.search(r"_desc_([a-z]{2})(?:\.ogg)+$", path.name)
        if not m or m.group(1) not in TUXPAINT_LANGS:
            continue
        lang = m.group(1)
        ident = Identity(f"tuxpaint_{lang}", "real", lang, "?", f"reader_{lang}")
        _add(sets, ident, Clip(str(path), _rel(pkg, path), lang))


def scan_kde(sets: dict[str, SourceSet]) -> None:
    pkg = "ktuberling-data"
    seen: set[str] = set()  # the sr@* folders repeat the same recordings
    for path in sorted((pkg_root(pkg) / "usr/share/ktuberling/sounds").glob("*/*")):
        if path.suffix not in (".wav", ".ogg", ".opus") or path.name.startswith("."):
            continue
        digest = hashlib.md5(path.read_bytes()).hexdigest()
        if digest in seen:
            continue
        seen.add(digest)
        lang = path.parent.name.split("@")[0]
        ident = Identity(f"ktuberling_{lang}", "real", lang, "?", f"reader_{lang}")
        _add(sets, ident, Clip(str(path), _rel(pkg, path), lang, join_short=True))
    pkg = "klettres-data"
    for path in sorted((pkg_root(pkg) / "usr/share/klettres").glob("*/*/*.ogg")):
        lang = path.parent.parent.name
        family = f"reader_{lang.split('_')[0]}"
        ident = Identity(f"klettres_{lang.lower()}", "real", lang, "?", family)
        _add(sets, ident, Clip(str(path), _rel(pkg, path), lang, join_short=True))


def scan_pocketsphinx(sets: dict[str, SourceSet]) -> None:
    pkg = "pocketsphinx-testdata"
    ident = Identity("librivox_sense_and_sensibility", "real", "en", "?", "librivox_sense_and_sensibility")
    for path in sorted((pkg_root(pkg) / "usr/share/pocketsphinx/test/data/librivox").glob("*.wav")):
        _add(sets, ident, Clip(str(path), _rel(pkg, path), "en"))


# ---------------------------------------------------------------- TTS identities

# Each espeak-ng variant is used with exactly one language, so two identities never share a
# timbre; the two pitch buckets of a variant are two identities of one family.
ESPEAK_VOICES = [
    ("en-us", "m1"), ("en-us", "f1"),
    ("es", "m2"), ("es", "f2"),
    ("fr-fr", "m3"), ("fr-fr", "f3"),
    ("it", "m4"), ("it", "f4"),
    ("cs", "m5"), ("cs", "f5"),
    ("nl", "m6"), ("nl", "steph"),
    ("ru", "m7"), ("ru", "john"),
]
ESPEAK_PITCH_BUCKETS = {"lo": 32, "hi": 64}  # -p value; jittered +-4 per utterance
ESPEAK_SPEED = (140, 195)  # -s words per minute, drawn per utterance
FLITE_VOICES = [("kal16", "M"), ("awb", "M"), ("rms", "M"), ("slt", "F")]
# festival voice -> (language of its text, gender, text encoding the voice expects); kal and slt are
# the same people as flite kal16/slt (ALIASES). NSK (hi/mr/te), ona (ca) and suopuhe (fi) have no
# text source here and are not rendered.
FESTIVAL_VOICES = {
    "kal_diphone": ("en", "M", "latin-1"),
    "ked_diphone": ("en", "M", "latin-1"),
    "cmu_us_slt_arctic_hts": ("en", "F", "latin-1"),
    "lp_diphone": ("it", "F", "latin-1"),
    "pc_diphone": ("it", "M", "latin-1"),
    "czech_dita": ("cs", "F", "iso-8859-2"),
    "czech_krb": ("cs", "M", "iso-8859-2"),  # a boy
    "czech_machac": ("cs", "M", "iso-8859-2"),
    "czech_ph": ("cs", "M", "iso-8859-2"),
}
FESTIVAL_PACKAGES = ["festival", "festvox-kallpc16k", "festvox-kdlpc16k", "festvox-us-slt-hts", "festvox-italp16k",
                     "festvox-itapc16k", "festvox-czech-dita", "festvox-czech-krb", "festvox-czech-machac",
                     "festvox-czech-ph"]
TTS_SECONDS = 150.0


def espeak_gender(variant: str) -> str:
    path = Path("/usr/lib/x86_64-linux-gnu/espeak-ng-data/voices/!v") / variant
    try:
        m = re.search(r"^gender\s+(\w+)", path.read_text(errors="replace"), re.M)
    except OSError:
        return "?"
    return {"male": "M", "female": "F"}.get(m.group(1) if m else "", "?")


def tts_jobs() -> list[dict]:
    jobs = []
    for lang, variant in ESPEAK_VOICES:
        gender = espeak_gender(variant)
        for bucket, pitch in ESPEAK_PITCH_BUCKETS.items():
            name = f"espeak_{lang.split('-')[0]}_{variant}_{bucket}"
            jobs.append(dict(engine="espeak", name=name, family=f"espeak_{variant}", lang=lang.split("-")[0],
                             voice=f"{lang}+{variant}", pitch=pitch, gender=gender))
    for voice, gender in FLITE_VOICES:
        name = canonical_identity(f"flite:{voice}")
        jobs.append(dict(engine="flite", name=name, family=name, lang="en", voice=voice, gender=gender))
    if shutil.which("text2wave"):
        for voice, (lang, gender, encoding) in FESTIVAL_VOICES.items():
            name = canonical_identity(f"festival:{voice}")
            jobs.append(dict(engine="festival", name=name, family=name, lang=lang, voice=voice, gender=gender,
                             encoding=encoding, dir=f"festival_{voice}"))
    for job in jobs:
        job.setdefault("dir", job["name"])  # render folder; aliases of one identity render apart
    return jobs


def fillets_lines(lang: str) -> list[str]:
    """Dialogue lines of Fish Fillets in one language (dialogs_<lang>.lua)."""
    base = pkg_root("fillets-ng-data") / "usr/share/games/fillets-ng/script"
    pattern = (re.compile(r'^dialogId\("[^"]*",\s*"font_(?:small|big|\w+)",\s*"(.*)"\)\s*$') if lang == "en"
               else re.compile(r'^dialogStr\("(.*)"\)\s*$'))
    lines = []
    for path in sorted(base.glob(f"*/dialogs_{lang}.lua")):
        for row in path.read_text(encoding="utf-8", errors="replace").splitlines():
            m = pattern.match(row.strip())
            if m:
                text = m.group(1).replace('\\"', '"').replace("\\n", " ").strip()
                if 15 <= len(text) <= 220 and "mplayer" not in text and "%" not in text:  # %1: placeholders
                    lines.append(text)
    return sorted(set(lines))


def render_tts(job: dict) -> str:
    """Render one voice into cache/tts/<dir>/; skipped when already complete."""
    out = CACHE / "tts" / job["dir"]
    if (out / "DONE").exists():
        return job["dir"]
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(zlib.crc32(job["dir"].encode()) ^ SEED)
    lines = fillets_lines(job["lang"])
    rng.shuffle(lines)
    total, meta = 0.0, []
    for i, text in enumerate(lines):
        if total >= TTS_SECONDS:
            break
        wav = out / f"{i:04d}.wav"
        if job["engine"] == "espeak":
            pitch = int(job["pitch"] + rng.integers(-4, 5))
            speed = int(rng.integers(*ESPEAK_SPEED))
            cmd = ["espeak-ng", "-v", job["voice"], "-p", str(pitch), "-s", str(speed), "-w", str(wav), "--stdin"]
            settings = dict(pitch=pitch, speed=speed)
        elif job["engine"] == "flite":
            stretch = round(float(rng.uniform(0.85, 1.2)), 2)
            txt = out / "line.txt"
            txt.write_text(text + "\n", encoding="utf-8")
            cmd = ["flite", "-voice", job["voice"], "--setf", f"duration_stretch={stretch}", "-f", str(txt), "-o", str(wav)]
            settings = dict(duration_stretch=stretch)
        else:
            stretch = round(float(rng.uniform(0.85, 1.2)), 2)
            txt = out / "line.txt"
            plain = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201e", '"')
            txt.write_bytes(plain.replace("\u201d", '"').replace("\u2026", "...").encode(job["encoding"], "ignore") + b"\n")
            cmd = ["text2wave", "-eval", f"(voice_{job['voice']})", "-eval", f"(Parameter.set 'Duration_Stretch {stretch})",
                   str(txt), "-o", str(wav)]
            settings = dict(duration_stretch=stretch)
        subprocess.run(cmd, input=text.encode(), check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            total += sf.info(str(wav)).duration
        except (RuntimeError, sf.LibsndfileError):  # festival exits 0 on text it cannot say
            log(f"  {job['dir']}: no audio for {text!r}")
            wav.unlink(missing_ok=True)
            continue
        meta.append(dict(file=wav.name, text=text, **settings))
    (out / "lines.json").write_text(json.dumps(meta, ensure_ascii=False, indent=0), encoding="utf-8")
    (out / "DONE").write_text("ok\n")
    return job["dir"]


def scan_tts(sets: dict[str, SourceSet]) -> None:
    for job in tts_jobs():
        ident = Identity(job["name"], "tts", job["lang"], job["gender"], job["family"],
                         notes=f"{job['engine']} voice {job['voice']}" + (f" pitch {job['pitch']}" if "pitch" in job else ""))
        for path in sorted((CACHE / "tts" / job["dir"]).glob("*.wav")):
            _add(sets, ident, Clip(str(path), f"{job['engine']}:{job['voice']}/{path.name}", job["lang"]))


# ---------------------------------------------------------------- audio processing


def read_audio(path: str) -> tuple[np.ndarray, int]:
    """Mono float32 and its rate; GSM files go through sox."""
    if not path.endswith(".gsm"):
        try:
            x, sr = sf.read(path, dtype="float32", always_2d=True)
            return x.mean(axis=1), sr
        except (RuntimeError, sf.LibsndfileError):
            pass
    raw = subprocess.run(["sox", path, "-t", "raw", "-e", "signed", "-b", "16", "-c", "1", "-r", "8000", "-"],
                         check=True, capture_output=True).stdout
    return np.frombuffer(raw, dtype=np.int16).astype(np.float32) / 32768.0, 8000


def to_16k(x: np.ndarray, sr: int) -> np.ndarray:
    if sr == SAMPLE_RATE:
        return x.astype(np.float32)
    g = math.gcd(sr, SAMPLE_RATE)
    return resample_poly(x, SAMPLE_RATE // g, sr // g).astype(np.float32)


FRAME = 320  # 20 ms at 16 kHz


def frame_rms(x: np.ndarray) -> np.ndarray:
    n = len(x) // FRAME
    if n == 0:
        return np.zeros(0, dtype=np.float32)
    return np.sqrt(np.mean(x[: n * FRAME].reshape(n, FRAME) ** 2, axis=1) + 1e-12)


def active_threshold(rms: np.ndarray) -> float:
    """Frames below this are silence: 35 dB under the loud frames, never under -65 dBFS."""
    return max(float(np.percentile(rms, 95)) * 10 ** (-35 / 20), 10 ** (-65 / 20))


def trim_silence(x: np.ndarray, pad_s: float = 0.05) -> np.ndarray:
    rms = frame_rms(x)
    if len(rms) == 0:
        return x[:0]
    active = np.flatnonzero(rms > active_threshold(rms))
    if len(active) == 0:
        return x[:0]
    pad = int(pad_s * SAMPLE_RATE)
    return x[max(0, active[0] * FRAME - pad): min(len(x), (active[-1] + 1) * FRAME + pad)]


def split_long(x: np.ndarray) -> list[np.ndarray]:
    """Pieces of at most MAX_UTT_S, cut at the quietest frame near equal-length positions."""
    max_len = int(MAX_UTT_S * SAMPLE_RATE)
    if len(x) <= max_len:
        return [x]
    n = math.ceil(len(x) / max_len)
    rms = frame_rms(x)
    cuts, start = [], 0
    for k in range(1, n):
        ideal = start + (len(x) - start) // (n - k + 1)
        # stay near the ideal cut, and leave no more than (n - k) full pieces after it
        lo = max(start // FRAME + 1, (ideal - 2 * SAMPLE_RATE) // FRAME, -(-(len(x) - (n - k) * max_len) // FRAME))
        hi = min(len(rms), (ideal + 2 * SAMPLE_RATE) // FRAME, (start + max_len) // FRAME)
        window = rms[lo:hi] if hi > lo else None
        cut = (lo + int(np.argmin(window))) * FRAME if window is not None and len(window) else min(ideal, start + max_len)
        cuts.append(cut)
        start = cut
    bounds = [0, *cuts, len(x)]
    pieces = [x[a:b] for a, b in zip(bounds[:-1], bounds[1:])]
    return [q for p in pieces for q in split_long(p)] if any(len(p) > max_len for p in pieces) else pieces


def normalize(x: np.ndarray) -> np.ndarray | None:
    """Active-speech RMS to TARGET_DBFS, peak limited; None when silent."""
    rms = frame_rms(x)
    if len(rms) == 0:
        return None
    active = rms[rms > active_threshold(rms)]
    level = float(np.sqrt(np.mean(active**2))) if len(active) else 0.0
    if level < 10 ** (-60 / 20):
        return None
    y = x * (10 ** (TARGET_DBFS / 20) / level)
    peak = float(np.max(np.abs(y)))
    if peak > PEAK_LIMIT:
        y = y * (PEAK_LIMIT / peak)
    return y


def join_words(words: list[tuple[np.ndarray, Clip]], rng: np.random.Generator) -> list[tuple[np.ndarray, list[Clip]]]:
    """Concatenate consecutive single words of one speaker into 2-6 s utterances with short gaps."""
    out, cur, clips, target = [], [], [], rng.uniform(2.0, 6.0)
    for audio, clip in words:
        if cur:
            cur.append(np.zeros(int(rng.uniform(0.12, 0.35) * SAMPLE_RATE), dtype=np.float32))
        cur.append(audio)
        clips.append(clip)
        if sum(len(a) for a in cur) >= target * SAMPLE_RATE:
            out.append((np.concatenate(cur), clips))
            cur, clips, target = [], [], rng.uniform(2.0, 6.0)
    if cur:
        out.append((np.concatenate(cur), clips))
    return out


def process_identity(sset: SourceSet) -> dict:
    """All clips of one identity -> utts/<name>.npz (int16 16 kHz) + manifest rows; cached."""
    name = sset.identity.name
    out = CACHE / "utts" / f"{name}.npz"
    meta_path = out.with_suffix(".json")
    if out.exists() and meta_path.exists():
        return json.loads(meta_path.read_text())
    rng = np.random.default_rng(zlib.crc32(name.encode()) ^ SEED)
    pieces: list[tuple[np.ndarray, list[Clip]]] = []
    words: list[tuple[np.ndarray, Clip]] = []
    failed = 0
    for clip in sset.clips:
        try:
            x, sr = read_audio(clip.path)
        except Exception as exc:  # a broken file must not stop the corpus
            print(f"  skip {clip.source}: {exc}", flush=True)
            failed += 1
            continue
        x = trim_silence(to_16k(x, sr))
        if len(x) == 0:
            continue
        if clip.join_short:
            words.append((x, clip))
        else:
            pieces.extend((p, [clip]) for p in split_long(x))
    pieces.extend(join_words(words, rng))
    audio, rows, dropped_short, dropped_silent = [], [], 0, 0
    for x, clips in pieces:
        if len(x) < MIN_UTT_S * SAMPLE_RATE:
            dropped_short += 1
            continue
        y = normalize(x)
        if y is None:
            dropped_silent += 1
            continue
        audio.append(np.round(y * 32767).astype(np.int16))
        source = clips[0].source + (f" (+{len(clips) - 1} joined)" if len(clips) > 1 else "")
        rows.append(dict(id=f"{name}/{len(rows):05d}", identity=name, kind=sset.identity.kind,
                         lang=clips[0].lang, gender=sset.identity.gender, source=source,
                         duration_s=round(len(y) / SAMPLE_RATE, 3)))
    lengths = np.array([len(a) for a in audio], dtype=np.int64)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".tmp.npz")
    np.savez(tmp, audio=np.concatenate(audio) if audio else np.zeros(0, np.int16), lengths=lengths)
    tmp.replace(out)
    meta = dict(name=name, rows=rows, clips=len(sset.clips), failed=failed,
                dropped_short=dropped_short, dropped_silent=dropped_silent,
                median_f0=median_f0(np.concatenate(audio[:40]).astype(np.float32) / 32768 if audio else np.zeros(0)))
    meta_path.write_text(json.dumps(meta, ensure_ascii=False))
    return meta


def median_f0(x: np.ndarray, max_s: float = 60.0) -> float | None:
    """Rough autocorrelation pitch of loud frames, for guessing gender of unlabelled readers."""
    x = x[: int(max_s * SAMPLE_RATE)]
    f0s, fl = [], 640
    lo, hi = SAMPLE_RATE // 400, SAMPLE_RATE // 60
    loud = 0.3 * float(np.percentile(np.abs(x), 99)) if len(x) else 0.0
    for s in range(0, len(x) - fl, 480):
        fr = x[s: s + fl] - x[s: s + fl].mean()
        if np.sqrt(np.mean(fr**2)) < 0.25 * loud:
            continue
        ac = np.correlate(fr, fr, "full")[fl - 1:]
        k = lo + int(np.argmax(ac[lo:hi]))
        if ac[k] > 0.5 * ac[0]:
            f0s.append(SAMPLE_RATE / k)
    return round(float(np.median(f0s)), 1) if len(f0s) >= 20 else None


def gender_from_f0(f0: float | None) -> str:
    if f0 is None:
        return "?"
    return "M" if f0 < 160 else "F" if f0 > 190 else "?"


# ---------------------------------------------------------------- fetching


def log(msg: str) -> None:
    print(msg, flush=True)


def ensure_tools() -> None:
    missing = [pkg for exe, pkg in TOOLS.items() if shutil.which(exe) is None]
    if shutil.which("text2wave") is None or not Path("/usr/share/festival/voices/czech/czech_ph").exists():
        # optional: without festival the festival voices are simply not rendered
        log(f"installing festival voices: {' '.join(FESTIVAL_PACKAGES)}")
        if subprocess.run(["apt-get", "install", "-y", "--no-install-recommends", *FESTIVAL_PACKAGES]).returncode != 0:
            log("  festival voices unavailable; continuing with espeak-ng and flite only")
    if missing:
        log(f"installing {' '.join(missing)} (sox decodes the GSM Asterisk prompts, espeak-ng/flite render TTS voices)")
        cmd = ["apt-get", "install", "-y", "--no-install-recommends", *missing]
        if subprocess.run(cmd).returncode != 0:
            subprocess.run(["apt-get", "update"], check=False)
            if subprocess.run(cmd).returncode != 0:
                sys.exit(f"could not install {missing}; install them (apt-get install {' '.join(missing)}) and rerun")


def fetch_packages(packages: list[str]) -> None:
    debs, pkgs = CACHE / "debs", CACHE / "pkgs"
    debs.mkdir(parents=True, exist_ok=True)
    pkgs.mkdir(parents=True, exist_ok=True)
    for i, pkg in enumerate(packages, 1):
        if (pkgs / pkg / ".unpacked").exists():
            log(f"[{i}/{len(packages)}] {pkg}: already unpacked")
            continue
        if not list(debs.glob(f"{pkg}_*.deb")):
            log(f"[{i}/{len(packages)}] {pkg}: downloading")
            if subprocess.run(["apt-get", "download", pkg], cwd=debs).returncode != 0:
                subprocess.run(["apt-get", "update"], check=False)
                subprocess.run(["apt-get", "download", pkg], cwd=debs, check=True)
        deb = sorted(debs.glob(f"{pkg}_*.deb"))[-1]
        log(f"[{i}/{len(packages)}] {pkg}: unpacking {deb.name}")
        shutil.rmtree(pkgs / pkg, ignore_errors=True)
        subprocess.run(["dpkg-deb", "-x", str(deb), str(pkgs / pkg)], check=True)
        (pkgs / pkg / ".unpacked").write_text(deb.name + "\n")


# ---------------------------------------------------------------- writing


def write_corpus(path: Path, entries: list[tuple[Identity, np.ndarray, np.ndarray]], compact: bool) -> None:
    """entries: (identity, int16 16 kHz audio, utterance lengths) per speaker, in speaker order."""
    chunks, lengths, speakers = [], [], []
    for s, (ident, audio, lens) in enumerate(entries):
        starts = np.concatenate([[0], np.cumsum(lens)[:-1]])
        for a, n in zip(starts, lens):
            x = audio[a: a + n]
            if compact:
                x = mulaw_encode(np.clip(np.round(resample_poly(x.astype(np.float32), 1, 2)), -32768, 32767).astype(np.int16))
            chunks.append(x)
            lengths.append(len(x))
            speakers.append(s)
    lengths = np.array(lengths, dtype=np.int64)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.stem + ".tmp.npz")
    np.savez(
        tmp,
        sample_rate=np.int64(COMPACT_RATE if compact else SAMPLE_RATE),
        encoding=np.str_("mulaw" if compact else "pcm16"),
        audio=np.concatenate(chunks) if chunks else np.zeros(0, np.uint8 if compact else np.int16),
        utt_offset=np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64),
        utt_length=lengths,
        utt_speaker=np.array(speakers, dtype=np.int32),
        speaker_name=np.array([e[0].name for e in entries], dtype=str),
        speaker_kind=np.array([e[0].kind for e in entries], dtype=str),
        speaker_lang=np.array([e[0].lang for e in entries], dtype=str),
        speaker_gender=np.array([e[0].gender for e in entries], dtype=str),
        speaker_family=np.array([e[0].family for e in entries], dtype=str),
    )
    tmp.replace(path)


def build_noise() -> list[tuple[str, str, np.ndarray]]:
    """(kind, source, int16 16 kHz) clips: hold music cut into 20 s pieces, sonic-pi ambience."""
    clips = []
    music = sorted((pkg_root("asterisk-moh-opsound-wav") / "usr/share/asterisk/moh").glob("*.wav"))
    per_track = NOISE_MUSIC_CAP_S / max(1, len(music))
    for path in music:
        x, sr = read_audio(str(path))
        x = to_16k(x, sr)[: int(per_track * SAMPLE_RATE)]
        for a in range(0, len(x) - SAMPLE_RATE, 20 * SAMPLE_RATE):
            clips.append(("music", _rel("asterisk-moh-opsound-wav", path), x[a: a + 20 * SAMPLE_RATE]))
    total = 0.0
    base = pkg_root("sonic-pi-samples") / "usr/share/sonic-pi/samples"
    for path in sorted(base.glob("ambi_*.flac")) + sorted(base.glob("vinyl_hiss.flac")):
        x, sr = read_audio(str(path))
        x = to_16k(x, sr)
        if total + len(x) / SAMPLE_RATE > NOISE_AMBIENCE_CAP_S:
            break
        total += len(x) / SAMPLE_RATE
        clips.append(("ambience", _rel("sonic-pi-samples", path), x))
    out = []
    for kind, source, x in clips:
        y = normalize(x)
        if y is not None and len(y) >= SAMPLE_RATE // 2:
            out.append((kind, source, np.round(y * 32767).astype(np.int16)))
    return out


def write_noise(path: Path, clips: list[tuple[str, str, np.ndarray]], compact: bool) -> None:
    chunks = []
    for _, _, x in clips:
        if compact:
            x = mulaw_encode(np.clip(np.round(resample_poly(x.astype(np.float32), 1, 2)), -32768, 32767).astype(np.int16))
        chunks.append(x)
    lengths = np.array([len(c) for c in chunks], dtype=np.int64)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.stem + ".tmp.npz")  # readers of the old file keep working
    np.savez(
        tmp,
        sample_rate=np.int64(COMPACT_RATE if compact else SAMPLE_RATE),
        encoding=np.str_("mulaw" if compact else "pcm16"),
        audio=np.concatenate(chunks),
        utt_offset=np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64),
        utt_length=lengths,
        kind=np.array([k for k, _, _ in clips], dtype=str),
        source=np.array([s for _, s, _ in clips], dtype=str),
    )
    tmp.replace(path)


# ---------------------------------------------------------------- main


def collect_sources() -> dict[str, SourceSet]:
    sets: dict[str, SourceSet] = {}
    for scan in (scan_asterisk, scan_fillets, scan_tuxpaint, scan_kde, scan_pocketsphinx, scan_tts):
        before = len(sets)
        scan(sets)
        log(f"  {scan.__name__}: {len(sets) - before} identities")
    return sets


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--compact-max-s", type=float, default=COMPACT_MAX_S_PER_IDENTITY)
    args = ap.parse_args()
    if os.nice(0) < 10:
        os.nice(10 - os.nice(0))  # the machine is shared

    log("== 1/6 packages")
    ensure_tools()
    fetch_packages(SPEECH_PACKAGES + NOISE_PACKAGES)

    log("== 2/6 TTS voices")
    jobs = tts_jobs()
    with Pool(args.workers) as pool:
        for k, name in enumerate(pool.imap_unordered(render_tts, jobs), 1):
            log(f"  [{k}/{len(jobs)}] {name}")

    log("== 3/6 sources")
    sets = collect_sources()
    empty = [n for n, s in sets.items() if not s.clips]
    for n in empty:
        del sets[n]

    log("== 4/6 audio (decode, 16 kHz, trim, split, normalize)")
    order = sorted(sets.values(), key=lambda s: -len(s.clips))
    metas = {}
    with Pool(args.workers) as pool:
        for k, meta in enumerate(pool.imap_unordered(process_identity, order), 1):
            metas[meta["name"]] = meta
            mins = sum(r["duration_s"] for r in meta["rows"]) / 60
            log(f"  [{k}/{len(order)}] {meta['name']}: {len(meta['rows'])} utts, {mins:.1f} min"
                f" (failed {meta['failed']}, short {meta['dropped_short']}, silent {meta['dropped_silent']})")

    identities = [s.identity for s in sets.values() if metas[s.identity.name]["rows"]]
    for ident in identities:
        if ident.gender == "?":
            ident.gender = gender_from_f0(metas[ident.name]["median_f0"])
            ident.gender_source = "f0_estimate" if ident.gender != "?" else "unknown"
    splits = assign_splits(identities)

    log("== 5/6 manifest and summary")
    with open(CACHE / "manifest.jsonl", "w", encoding="utf-8") as fh:
        for ident in sorted(identities, key=lambda i: i.name):
            for row in metas[ident.name]["rows"]:
                row = dict(row, split=splits[ident.name], gender=ident.gender)
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    summary = {}
    for ident in sorted(identities, key=lambda i: (splits[i.name], i.kind, i.name)):
        rows = metas[ident.name]["rows"]
        summary[ident.name] = dict(asdict(ident), split=splits[ident.name], utterances=len(rows),
                                   minutes=round(sum(r["duration_s"] for r in rows) / 60, 2),
                                   median_f0=metas[ident.name]["median_f0"],
                                   sources=sorted({r["source"].split("/")[0] for r in rows}))
    totals = defaultdict(lambda: defaultdict(float))
    for s in summary.values():
        totals[s["split"]][f"{s['kind']}_identities"] += 1
        totals[s["split"]][f"{s['kind']}_minutes"] += s["minutes"]
    (CACHE / "identities.json").write_text(json.dumps(
        dict(sample_rate=SAMPLE_RATE, test_families=TEST_FAMILIES, val_families=VAL_FAMILIES,
             totals={k: {m: round(v, 1) for m, v in t.items()} for k, t in totals.items()}, identities=summary),
        ensure_ascii=False, indent=1))

    log("== 6/6 corpora")
    for split in ("train", "val", "test"):
        entries, compact_entries = [], []
        for ident in sorted((i for i in identities if splits[i.name] == split), key=lambda i: i.name):
            with np.load(CACHE / "utts" / f"{ident.name}.npz") as z:
                audio, lens = z["audio"], z["lengths"]
            entries.append((ident, audio, lens))
            # compact: a deterministic subset of utterances up to the per-identity cap
            rng = np.random.default_rng(zlib.crc32(ident.name.encode()) ^ SEED)
            starts = np.concatenate([[0], np.cumsum(lens)[:-1]])
            keep, total = [], 0
            for u in rng.permutation(len(lens)):
                if total + lens[u] > args.compact_max_s * SAMPLE_RATE and keep:
                    continue
                keep.append(u)
                total += lens[u]
            keep.sort()
            sub = np.concatenate([audio[starts[u]: starts[u] + lens[u]] for u in keep])
            compact_entries.append((ident, sub, lens[keep]))
        write_corpus(CACHE / f"corpus_{split}.npz", entries, compact=False)
        write_corpus(CACHE / "compact" / f"corpus_{split}.npz", compact_entries, compact=True)
        log(f"  {split}: {len(entries)} speakers, {sum(len(e[2]) for e in entries)} utterances")
    noise = build_noise()
    write_noise(CACHE / "noise.npz", noise, compact=False)
    write_noise(CACHE / "compact" / "noise.npz", noise, compact=True)
    log(f"  noise: {len(noise)} clips, {sum(len(c[2]) for c in noise) / SAMPLE_RATE / 60:.1f} min")

    for split in ("train", "val", "test"):
        t = totals[split]
        log(f"{split}: real {int(t['real_identities'])} ids / {t['real_minutes']:.1f} min, "
            f"tts {int(t['tts_identities'])} ids / {t['tts_minutes']:.1f} min")
        for name, s in summary.items():
            if s["split"] == split:
                log(f"    {name:40s} {s['kind']:4s} {s['lang']:8s} {s['gender']} {s['minutes']:6.1f} min"
                    f"{' minor' if s['minor'] else ''}")
    for p in sorted(CACHE.glob("corpus_*.npz")) + sorted((CACHE / "compact").glob("*.npz")) + [CACHE / "noise.npz"]:
        log(f"  {p.relative_to(CACHE)}: {p.stat().st_size / 2**20:.1f} MiB")


if __name__ == "__main__":
    main()
