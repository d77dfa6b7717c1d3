"""Load the pre-rendered speech corpus and noise bank written by prepare_data.py.

A corpus file is an uncompressed .npz with one flat audio array and utterance
and speaker tables:

    sample_rate   int        16000 (pcm16) or 8000 (mulaw)
    encoding      str        'pcm16' (int16) or 'mulaw' (uint8, ITU-T G.711 mu-law)
    audio         1-D        all utterances concatenated
    utt_offset    int64 [U]  start of each utterance in `audio`
    utt_length    int64 [U]  length of each utterance in samples of `audio`
    utt_speaker   int32 [U]  index into the speaker arrays of this file
    speaker_name, speaker_kind (real|tts), speaker_lang, speaker_gender (F|M|?)  str [S]

A noise file has the same audio/offset/length keys and `kind` (music|ambience) [N].

Whatever the stored encoding, every accessor returns float32 in [-1, 1] at
16 kHz, so training code never branches on the storage format. Only numpy and
scipy are needed; the audio array is memory-mapped when the archive is stored
uncompressed, so constructing a corpus is fast whatever its size.
"""

from __future__ import annotations

import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from scipy.signal import resample_poly

SAMPLE_RATE = 16000

# ---------------------------------------------------------------- G.711 mu-law

_MULAW_BIAS = 0x84
_MULAW_CLIP = 32635


def mulaw_encode(pcm: np.ndarray) -> np.ndarray:
    """int16 PCM -> uint8 G.711 mu-law bytes (bit-exact with the ITU table codec)."""
    x = pcm.astype(np.int32)
    sign = np.where(x < 0, 0x80, 0)
    mag = np.minimum(np.abs(x), _MULAW_CLIP) + _MULAW_BIAS
    # exponent = position of the highest set bit among bits 7..14
    exponent = np.floor(np.log2(mag)).astype(np.int32) - 7
    exponent = np.clip(exponent, 0, 7)
    mantissa = (mag >> (exponent + 3)) & 0x0F
    return (~(sign | (exponent << 4) | mantissa) & 0xFF).astype(np.uint8)


def _mulaw_table() -> np.ndarray:
    u = ~np.arange(256, dtype=np.int32) & 0xFF
    sign = u & 0x80
    exponent = (u >> 4) & 0x07
    mantissa = u & 0x0F
    mag = (((mantissa << 3) + _MULAW_BIAS) << exponent) - _MULAW_BIAS
    return np.where(sign != 0, -mag, mag).astype(np.int16)


MULAW_TO_PCM16 = _mulaw_table()


def mulaw_decode(codes: np.ndarray) -> np.ndarray:
    """uint8 G.711 mu-law bytes -> int16 PCM."""
    return MULAW_TO_PCM16[np.asarray(codes, dtype=np.uint8)]


def decode_to_float(samples: np.ndarray, encoding: str, sample_rate: int) -> np.ndarray:
    """Stored samples -> float32 in [-1, 1] at 16 kHz."""
    if encoding == "pcm16":
        x = np.asarray(samples, dtype=np.float32) / 32768.0
    elif encoding == "mulaw":
        x = mulaw_decode(samples).astype(np.float32) / 32768.0
    else:
        raise ValueError(f"unknown encoding {encoding!r}")
    if sample_rate != SAMPLE_RATE:
        if SAMPLE_RATE % sample_rate:
            raise ValueError(f"cannot upsample {sample_rate} Hz to {SAMPLE_RATE} Hz by an integer factor")
        x = resample_poly(x, SAMPLE_RATE // sample_rate, 1).astype(np.float32)
        np.clip(x, -1.0, 1.0, out=x)
    return x


# ---------------------------------------------------------------- npz reading


def _memmap_npz_member(path: Path, name: str) -> np.ndarray | None:
    """Memory-map one array of an uncompressed .npz; None if it is compressed."""
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo(name + ".npy")
        if info.compress_type != zipfile.ZIP_STORED:
            return None
        with zf.open(info) as member:
            version = np.lib.format.read_magic(member)
            if version == (1, 0):
                shape, fortran, dtype = np.lib.format.read_array_header_1_0(member)
            else:
                shape, fortran, dtype = np.lib.format.read_array_header_2_0(member)
            header_len = member.tell()
    with open(path, "rb") as fh:
        # the member's data starts after the local file header (30 bytes + name + extra)
        fh.seek(info.header_offset)
        local = fh.read(30)
        name_len = int.from_bytes(local[26:28], "little")
        extra_len = int.from_bytes(local[28:30], "little")
    start = info.header_offset + 30 + name_len + extra_len + header_len
    return np.memmap(path, dtype=dtype, mode="r", offset=start, shape=shape, order="F" if fortran else "C")


def _read_npz(path: Path) -> tuple[dict, np.ndarray]:
    """Small arrays loaded, `audio` memory-mapped where possible."""
    with np.load(path, allow_pickle=False) as z:
        tables = {k: z[k] for k in z.files if k != "audio"}
        audio = _memmap_npz_member(path, "audio")
        if audio is None:
            audio = z["audio"]
    return tables, audio


# ---------------------------------------------------------------- corpus


@dataclass(frozen=True)
class Speaker:
    name: str
    kind: str  # real | tts
    lang: str
    gender: str  # F | M | ?
    family: str = ""  # identities that may be one person (aliases, readers of a language, voice copies)


@dataclass
class Corpus:
    """Utterances of one split; audio is returned as float32 at 16 kHz."""

    path: Path
    source_rate: int  # stored rate (8000 for mulaw, 16000 for pcm16)
    encoding: str  # stored encoding
    audio: np.ndarray
    utt_offset: np.ndarray  # in stored samples
    utt_length: np.ndarray  # in stored samples
    utt_speaker: np.ndarray
    speakers: list[Speaker]
    utterances_of: list[np.ndarray] = field(default_factory=list)  # per speaker: utterance indices
    sample_rate: int = SAMPLE_RATE  # rate of the float32 audio returned by utterance()

    def __len__(self) -> int:
        return len(self.utt_offset)

    @property
    def num_speakers(self) -> int:
        return len(self.speakers)

    # Column views, the interface synth.CallSynth reads (same as synth.NpzCorpus).
    @property
    def speaker_name(self) -> list[str]:
        return [s.name for s in self.speakers]

    @property
    def speaker_kind(self) -> list[str]:
        return [s.kind for s in self.speakers]

    @property
    def speaker_lang(self) -> list[str]:
        return [s.lang for s in self.speakers]

    @property
    def speaker_gender(self) -> list[str]:
        return [s.gender for s in self.speakers]

    @property
    def speaker_family(self) -> list[str]:
        return [s.family or s.name for s in self.speakers]

    @property
    def speaker_utts(self) -> list[np.ndarray]:
        return self.utterances_of

    def utterance(self, i: int) -> np.ndarray:
        start = int(self.utt_offset[i])
        raw = self.audio[start : start + int(self.utt_length[i])]
        return decode_to_float(raw, self.encoding, self.source_rate)

    def duration_s(self, i: int) -> float:
        return float(self.utt_length[i]) / self.source_rate

    def speaker_seconds(self) -> np.ndarray:
        """Total seconds of audio per speaker, [S]."""
        return np.bincount(self.utt_speaker, weights=self.utt_length, minlength=self.num_speakers) / self.source_rate

    def speaker_index(self, name: str) -> int:
        return next(i for i, s in enumerate(self.speakers) if s.name == name)


def _families(path: Path, t: dict) -> dict[str, str]:
    """Identity -> family: from the corpus file, else from identities.json written beside it
    (or one folder up, for compact/) by older preparations; an identity alone is its own family."""
    if "speaker_family" in t:
        return {str(n): str(f) for n, f in zip(t["speaker_name"], t["speaker_family"])}
    for p in (path.parent / "identities.json", path.parent.parent / "identities.json"):
        if p.exists():
            ids = json.loads(p.read_text())["identities"]
            return {n: v.get("family", n) for n, v in ids.items()}
    return {}


def load_corpus(path: str | Path) -> Corpus:
    path = Path(path)
    t, audio = _read_npz(path)
    families = _families(path, t)
    speakers = [
        Speaker(str(n), str(k), str(l), str(g), families.get(str(n), str(n)))
        for n, k, l, g in zip(t["speaker_name"], t["speaker_kind"], t["speaker_lang"], t["speaker_gender"])
    ]
    utt_speaker = t["utt_speaker"].astype(np.int32)
    order = np.argsort(utt_speaker, kind="stable")
    bounds = np.searchsorted(utt_speaker[order], np.arange(len(speakers) + 1))
    utterances_of = [order[bounds[s] : bounds[s + 1]] for s in range(len(speakers))]
    return Corpus(
        path=path,
        source_rate=int(t["sample_rate"]),
        encoding=str(t["encoding"]),
        audio=audio,
        utt_offset=t["utt_offset"].astype(np.int64),
        utt_length=t["utt_length"].astype(np.int64),
        utt_speaker=utt_speaker,
        speakers=speakers,
        utterances_of=utterances_of,
    )


@dataclass
class NoiseBank:
    """Hold music and ambience clips; float32 at 16 kHz."""

    path: Path
    source_rate: int  # stored rate
    encoding: str
    audio: np.ndarray
    utt_offset: np.ndarray  # in stored samples
    utt_length: np.ndarray
    kind: list[str]  # music | ambience
    sample_rate: int = SAMPLE_RATE  # rate of the float32 audio returned by clip()

    def __len__(self) -> int:
        return len(self.utt_offset)

    def clip(self, i: int) -> np.ndarray:
        start = int(self.utt_offset[i])
        raw = self.audio[start : start + int(self.utt_length[i])]
        return decode_to_float(raw, self.encoding, self.source_rate)

    def indices_of(self, kind: str) -> np.ndarray:
        return np.array([i for i, k in enumerate(self.kind) if k == kind], dtype=np.int64)


def load_noise(path: str | Path) -> NoiseBank:
    path = Path(path)
    t, audio = _read_npz(path)
    return NoiseBank(
        path=path,
        source_rate=int(t["sample_rate"]),
        encoding=str(t["encoding"]),
        audio=audio,
        utt_offset=t["utt_offset"].astype(np.int64),
        utt_length=t["utt_length"].astype(np.int64),
        kind=[str(k) for k in t["kind"]],
    )
