"""The voice steps of the streaming recipe on the cases both twins read:
models/tests/fixtures/voice_cases.json (VoiceCasesTest.java runs the same file)."""
import json
import os

import numpy as np
import pytest

from model import ModelConfig
from prompts import ChunkVoices, CallState, SpeakerPrompt, refine_by_voice, NEW, STRANGER

CASES = json.load(open(os.path.join(os.path.dirname(__file__), "fixtures", "voice_cases.json"), encoding="utf-8"))
FIELDS = {"match.threshold": "match_threshold", "match.merge_threshold": "merge_threshold",
          "match.unprompted_merge_threshold": "unprompted_merge_threshold",
          "match.stranger_threshold": "stranger_threshold", "match.profile_weight": "profile_weight",
          "match.min_frames": "match_min_frames", "match.profile_min_frames": "profile_min_frames",
          "refine.iterations": "refine_iterations", "refine.min_run": "refine_min_run"}
MARKERS = {"NEW": NEW, "STRANGER": STRANGER}
DIM = 8


def config(case):
    keys = {**CASES["defaults"], **case.get("contract", {})}
    return ModelConfig(**{FIELDS[k]: v for k, v in keys.items()})


def embeddings(cfg, case):
    rng = np.random.default_rng(0)
    emb = rng.standard_normal((cfg.n_enc, DIM)) * 0.01
    per_slot = cfg.slot_samples // (2 * cfg.stack * cfg.hop_length)
    for j, v in enumerate(case["slots"]):
        emb[j * per_slot: (j + 1) * per_slot, v] += 1
    for first, end, v in case["voices"]:
        emb[cfg.chunk_enc_start + first: cfg.chunk_enc_start + end, v] += 1
    return emb / np.linalg.norm(emb, axis=1, keepdims=True)


def profile(voice_frames):
    if voice_frames is None:
        return None
    voice, frames = voice_frames
    return np.eye(DIM)[voice] * frames


def voices_of(cfg, case):
    segs = [(s, e, lab, 0.9) for s, e, lab in case["segments"]]
    profiles = [profile(p) for p in case["profiles"]] if "profiles" in case else None
    return ChunkVoices(cfg, segs, [cfg.prompt_samples] * len(case["slots"]), embeddings(cfg, case), profiles)


@pytest.mark.parametrize("case", CASES["cases"], ids=lambda c: c["name"])
def test_voice_case(case):
    cfg = config(case)
    slot_of = {int(k): v for k, v in case.get("slot_of", {}).items()}
    if "match" in case:
        assert voices_of(cfg, case).match_labels() == {int(k): v for k, v in case["match"].items()}
    if "segment_slots" in case:
        assert voices_of(cfg, case).segment_slots(slot_of) == [MARKERS.get(x, x) for x in case["segment_slots"]]
    if "aliases" in case:
        assert voices_of(cfg, case).merge_new_labels(slot_of) == {int(k): v for k, v in case["aliases"].items()}
    if "refine" in case:
        st = CallState()
        for lab, vf in case["profiles_by_label"].items():
            st.prompts[int(lab)] = SpeakerPrompt(int(lab), np.zeros(10, np.float32), 2.0, 0, profile(vf), vf[1])
        segs = [(s, e, lab, 0.9) for s, e, lab in case["segments"]]
        got = [[round(s, 2), round(e, 2), lab] for s, e, lab, _ in refine_by_voice(cfg, st, segs, embeddings(cfg, case))]
        assert got == case["refine"]
