"""Export a trained checkpoint to two ONNX graphs for KV-cached decoding.

    models/.venv/bin/python models/export.py --ckpt models/runs/small/best.pt --out models/shipped/streamdrz \
        --vad-file models/shipped/silero_vad.onnx
    models/.venv/bin/python models/export.py --restamp models/shipped/streamdrz --vad-threshold 0.5

writes <out>-encoder.onnx and <out>-decoder.onnx:

  encoder: features (B, n_frames, n_mels) float32
           -> cross_k, cross_v (dec_layers, B, heads, n_enc, head_dim), activity (B, n_chunk_enc, max_speakers),
              speaker_embedding (B, n_enc, spk_dim): unit voice embedding per encoder frame
  decoder: tokens (B, 1) int64, position (1,) int64, past_k, past_v (dec_layers, B, heads, P, head_dim),
           cross_k, cross_v -> logits (B, vocab), present_k, present_v (dec_layers, B, heads, P+1, head_dim)

Both files carry the whole model contract as metadata (see `contract`), so a runtime
(the Java engine) reads sample rate, mel recipe, layout, token ids and limits from the
model itself instead of hard-coding them.
"""
import argparse
import os

import numpy as np
import torch
import torch.nn as nn

from model import ModelConfig, Diarizer, MelFrontend
from prompts import ChunkOutput, activity_segments
from voicebank import FINAL_RELABEL, NEW_SPEAKERS
from vad import SileroVad, file_sha256, inputs_speech

CONTRACT_VERSION = "7"     # 2: speaker_embedding output and the match.* recipe; 3: match.profile_weight;
#                            4: match.unprompted_merge_threshold; 5: the vad.* speech gate;
#                            6: prompt.min_seconds, prompt.edge_seconds, match.profile_min_frames, refine.*,
#                               identify.*; 7: live.* (the window graph; older files read as without one),
#                               later overlap.nested_share (files without it read as 2.0: no segment dropped),
#                               later recluster.* (the voice bank; files without it read as 0 pieces: none),
#                               later recluster.new_speakers (files without it read as stream),
#                               later recluster.merge_distance (files without it read as 0: no merge)
OPSET = 17


def contract(cfg: ModelConfig) -> dict:
    """Every fact a runtime needs, as strings (ONNX metadata is string -> string)."""
    tk = cfg.tokens
    c = {
        "streamdrz.contract_version": CONTRACT_VERSION,
        "streamdrz.model_id": cfg.model_id,
        "streamdrz.sample_rate": cfg.sample_rate,
        "streamdrz.mel.n_fft": cfg.n_fft,
        "streamdrz.mel.win_length": cfg.win_length,
        "streamdrz.mel.hop_length": cfg.hop_length,
        "streamdrz.mel.n_mels": cfg.n_mels,
        "streamdrz.mel.f_min": cfg.f_min,
        "streamdrz.mel.f_max": cfg.f_max,
        "streamdrz.mel.log_floor": cfg.log_floor,
        "streamdrz.mel.recipe": "frames t*hop..t*hop+win zero padded at the end; n_frames=n_samples//hop; "
                                "periodic hann(win); zero pad to n_fft; power |rfft|^2; "
                                "htk mel triangles f_min..f_max peak 1; ln(mel+log_floor)",
        "streamdrz.prompt_slots": cfg.prompt_slots,
        "streamdrz.prompt_seconds": cfg.prompt_seconds,
        "streamdrz.prompt_silence_seconds": cfg.prompt_silence,
        "streamdrz.chunk_seconds": cfg.chunk_seconds,
        "streamdrz.input_samples": cfg.input_samples,
        "streamdrz.n_frames": cfg.n_frames,
        "streamdrz.bin_seconds": cfg.bin_seconds,
        "streamdrz.max_speakers": cfg.max_speakers,
        "streamdrz.max_segments": cfg.max_segments,
        "streamdrz.token.pad": tk.pad,
        "streamdrz.token.eos": tk.eos,
        "streamdrz.token.sod": tk.sod,
        "streamdrz.token.time0": tk.time0,
        "streamdrz.token.n_bins": tk.n_bins,
        "streamdrz.token.speaker0": tk.spk0,
        "streamdrz.token.vocab_size": tk.vocab_size,
        "streamdrz.token.max_len": tk.max_len,
        "streamdrz.decoder.layers": cfg.dec_layers,
        "streamdrz.decoder.heads": cfg.n_heads,
        "streamdrz.decoder.head_dim": cfg.d_model // cfg.n_heads,
        "streamdrz.encoder.frames": cfg.n_enc,
        "streamdrz.encoder.chunk_start": cfg.chunk_enc_start,
        "streamdrz.encoder.frame_seconds": cfg.enc_frame_seconds,
        "streamdrz.encoder.frame_samples": 2 * cfg.stack * cfg.hop_length,
        "streamdrz.speaker.dim": cfg.spk_dim,
        "streamdrz.match.threshold": cfg.match_threshold,
        "streamdrz.match.min_frames": cfg.match_min_frames,
        "streamdrz.match.merge_threshold": cfg.merge_threshold,
        "streamdrz.match.unprompted_merge_threshold": cfg.unprompted_merge_threshold,
        "streamdrz.match.stranger_threshold": cfg.stranger_threshold,
        "streamdrz.match.profile_weight": cfg.profile_weight,
        "streamdrz.join_gap_seconds": cfg.join_gap,
        "streamdrz.overlap.nested_share": cfg.nested_share,
        "streamdrz.recluster.pieces": cfg.recluster_pieces,
        "streamdrz.recluster.piece_seconds": cfg.recluster_piece_seconds,
        "streamdrz.recluster.new_speakers": cfg.recluster_new_speakers,
        "streamdrz.recluster.merge_distance": cfg.recluster_merge_distance,
        "streamdrz.recluster.cepstral_weight": cfg.recluster_cepstral_weight,
        "streamdrz.final.relabel": cfg.final_relabel,
        "streamdrz.final.cepstral_weight": cfg.final_cepstral_weight,
        "streamdrz.final.merge_distance": cfg.final_merge_distance,
        "streamdrz.prompt.min_seconds": cfg.prompt_min_seconds,
        "streamdrz.prompt.edge_seconds": cfg.prompt_edge_seconds,
        "streamdrz.match.profile_min_frames": cfg.profile_min_frames,
        "streamdrz.refine.iterations": cfg.refine_iterations,
        "streamdrz.refine.min_run": cfg.refine_min_run,
        "streamdrz.identify.threshold": cfg.identify_threshold,
        "streamdrz.identify.hysteresis": cfg.identify_hysteresis,
        "streamdrz.train.held_out": cfg.held_out,
        "streamdrz.match.recipe": "label embedding = mean speaker_embedding over chunk frames (centre (k+0.5)*frame) "
                                  "where only that label speaks, needs min_frames; slot embedding = mean over the "
                                  "first ceil(prompt samples/frame_samples) frames of the slot, unit length, mixed with the unit voice "
                                  "profile of the slot's speaker when it has one: unit((1-profile_weight)*slot + "
                                  "profile_weight*unit(profile)); label embedding unit length too; "
                                  "one-to-one label->slot with cosine >= threshold maximizing sum frames*cosine; "
                                  "leftover labels join their most similar slot if cosine >= merge_threshold; "
                                  "labels without embedding below the prompt count keep slot=label; "
                                  "leftover labels that sound alike (merge_threshold; in a chunk without prompts "
                                  "unprompted_merge_threshold) are one new speaker; "
                                  "each segment of a slotted label with min_frames own frames goes to its most "
                                  "similar slot, or is a stranger if below stranger_threshold; new speakers take "
                                  "call labels that have no prompt yet before new ones; then each chunk frame where one "
                                  "call label alone speaks goes to the most similar of the present labels' unit "
                                  "profiles (those of >= profile_min_frames frames; labels without one keep their frames), "
                                  "or, if no present label has one, of their own solo-frame means re-estimated over "
                                  "refine.iterations passes; runs under refine.min_run frames of another label stay; "
                                  "segments split at k*frame; "
                                  "a speaker's prompt is replaced by the "
                                  "longest clean region of the chunk (edges trimmed prompt.edge_seconds, >= prompt.min_seconds, "
                                  "centre crop) if that is longer, or as long and, with a profile of >= "
                                  "profile_min_frames frames and the speaker "
                                  "prompted in this chunk, more similar to the unit profile (mean of its frames) than "
                                  "the slot's prompt-only embedding; after prompts are refreshed, each "
                                  "prompted speaker's profile (a sum) adds the chunk frames where only that call label "
                                  "speaks, if there are at least min_frames",
        "streamdrz.vad.file": cfg.vad_file,
        "streamdrz.vad.sha256": cfg.vad_sha256,
        "streamdrz.vad.threshold": cfg.vad_threshold,
        "streamdrz.vad.neg_threshold": cfg.vad_neg_threshold,
        "streamdrz.vad.min_speech_seconds": cfg.vad_min_speech,
        "streamdrz.vad.min_silence_seconds": cfg.vad_min_silence,
        "streamdrz.vad.pad_seconds": cfg.vad_pad,
        "streamdrz.vad.fill_min_seconds": cfg.fill_min_seconds,
        "streamdrz.recluster.recipe": "after voice refinement, each segment is cut into round(length / piece_seconds) "
                                      "equal pieces (under 0.16 s left out), each embedded as the unit mean of its "
                                      "frames; the call's bank of its newest `pieces` labelled pieces and the new ones "
                                      "are clustered (average linkage, cosine) into min(speaker cap, labels) clusters, "
                                      "then merged on while the closest two are nearer than merge_distance; "
                                      "clusters take the labels their bank pieces hold most, greedily, one each; the "
                                      "rest the stream's label or the lowest free one (models/voicebank.py); pieces "
                                      "of a label the bank holds none of take their cluster's label when "
                                      "new_speakers is bank and the bank holds any piece, else keep the stream's; "
                                      "a file without the keys reads as 0 pieces (no bank), new_speakers stream and "
                                      "merge_distance 0",
        "streamdrz.overlap.recipe": "before the speech gate, a decoded segment (cut at the chunk's audio end) is "
                                    "dropped if at least nested_share of its length lies inside the union of the "
                                    "segments of other labels; nested_share above 1 drops none; a file without the "
                                    "key reads as 2.0",
        "streamdrz.vad.recipe": "Silero VAD v5 graph (inputs input, state, sr) on the chunk alone at sample_rate, "
                                "fresh zero state and zero context per chunk, windows of 512 samples with the "
                                "previous 64 samples prepended (256/32 at 8 kHz); speech starts at a window of "
                                "p >= threshold, ends at the first window of a run of p < neg_threshold lasting "
                                ">= min_silence; regions shorter than min_speech dropped, then padded by "
                                "pad_seconds within the chunk and cut at the chunk's audio end; a model segment "
                                "stays, whole, if it overlaps a region; each part of a region no segment covers, "
                                ">= fill_min_seconds, becomes a segment of the chunk label (labels ascending, then "
                                "prompt slots not already a label) whose unit voice is most similar to the part's "
                                "mean frame embedding (none: label n_prompted), confidence 0",
        "streamdrz.live.window_file": cfg.live_window_file,
        "streamdrz.live.window_sha256": cfg.live_window_sha256,
        "streamdrz.live.window_seconds": cfg.live_window_seconds,
        "streamdrz.live.activity_threshold": cfg.live_activity_threshold,
        "streamdrz.live.recipe": "window graph (input features, outputs activity, speaker_embedding) = the encoder "
                                 "on the usual prompt slots followed by window_seconds of the call's newest audio "
                                 "(zero padded at the end when the call is shorter); segments: for each label k, "
                                 "each run of chunk frames with sigmoid(activity) > activity_threshold is one "
                                 "segment [i*frame, j*frame) of label k, confidence the run's mean probability; "
                                 "speaker_embedding rows past the window's frames are zero; then the usual "
                                 "recipe on a copy of the call state, speech from the call's VAD stream",
        "streamdrz.grammar": "SOD (start end speaker)* EOS; start>=previous start; end>start; "
                             "speaker<=max(used labels, n_prompted-1)+1; EOS only between triples",
    }
    return {k: str(v) for k, v in c.items()}


class EncoderGraph(nn.Module):
    def __init__(self, m: Diarizer):
        super().__init__()
        self.m = m
        self.eval()     # torch.onnx.export leaves a graph, and so the model, in the mode it had

    def forward(self, features):
        mem, act = self.m.encode(features)
        ck, cv = self.m.cross_kv(mem)
        return ck, cv, act, self.m.speaker_embeddings(mem, features)


class WindowGraph(nn.Module):
    """The encoder of a live window: no decoder runs, so no cross keys and values either."""

    def __init__(self, m: Diarizer):
        super().__init__()
        self.m = m
        self.eval()     # torch.onnx.export leaves a graph, and so the model, in the mode it had

    def forward(self, features):
        mem, act = self.m.encode(features)
        return act, self.m.speaker_embeddings(mem, features)


class DecoderStepGraph(nn.Module):
    """One token per call; positions gathered with index_select so `position` is an input."""

    def __init__(self, m: Diarizer):
        super().__init__()
        self.m = m
        self.eval()     # torch.onnx.export leaves a graph, and so the model, in the mode it had

    def forward(self, tokens, position, past_k, past_v, cross_k, cross_v):
        m = self.m
        x = m.tok_emb(tokens) + m.dec_pos[0].index_select(0, position).unsqueeze(0)
        new_k, new_v = [], []
        for i, b in enumerate(m.dec_blocks):
            k, v = b.self_attn.project_kv(b.ln1(x))
            k = torch.cat([past_k[i], k], dim=2)
            v = torch.cat([past_v[i], v], dim=2)
            new_k.append(k)
            new_v.append(v)
            x = b(x, k, v, cross_k[i], cross_v[i])
        logits = m.head(m.dec_ln(x))[:, -1]
        return logits, torch.stack(new_k), torch.stack(new_v)


def add_metadata(path, meta, role):
    import onnx
    model = onnx.load(path)
    del model.metadata_props[:]
    for k, v in {**meta, "streamdrz.graph": role}.items():
        p = model.metadata_props.add()
        p.key, p.value = k, v
    model.producer_name = "streamdrz"
    onnx.save(model, path)


def export(model: Diarizer, out_prefix: str, int8_window=True):
    model.eval()
    cfg = model.cfg
    if cfg.vad_input:
        # the engines feed the encoder log-mel features only (contract version 7)
        raise SystemExit("a model with vad_input=1 cannot be exported: neither engine feeds it the VAD's "
                         "probabilities; score its checkpoints with models/vad_input_eval.py")
    B, L, H, dh = 2, cfg.dec_layers, cfg.n_heads, cfg.d_model // cfg.n_heads
    feats = torch.randn(B, cfg.n_frames, cfg.n_mels)
    enc_path, dec_path = out_prefix + "-encoder.onnx", out_prefix + "-decoder.onnx"
    with torch.no_grad():
        torch.onnx.export(EncoderGraph(model), (feats,), enc_path, opset_version=OPSET, dynamo=False,
                          input_names=["features"], output_names=["cross_k", "cross_v", "activity", "speaker_embedding"],
                          dynamic_axes={"features": {0: "batch"}, "cross_k": {1: "batch"},
                                        "cross_v": {1: "batch"}, "activity": {0: "batch"},
                                        "speaker_embedding": {0: "batch"}})
        ck, cv, _, _ = EncoderGraph(model)(feats)
        past = torch.zeros(L, B, H, 3, dh)
        torch.onnx.export(DecoderStepGraph(model),
                          (torch.zeros(B, 1, dtype=torch.long), torch.tensor([3]), past, past, ck, cv),
                          dec_path, opset_version=OPSET, dynamo=False,
                          input_names=["tokens", "position", "past_k", "past_v", "cross_k", "cross_v"],
                          output_names=["logits", "present_k", "present_v"],
                          dynamic_axes={"tokens": {0: "batch"}, "past_k": {1: "batch", 3: "past"},
                                        "past_v": {1: "batch", 3: "past"}, "cross_k": {1: "batch"},
                                        "cross_v": {1: "batch"}, "logits": {0: "batch"},
                                        "present_k": {1: "batch", 3: "total"},
                                        "present_v": {1: "batch", 3: "total"}})
    win_path = export_window(model, out_prefix, int8_window)
    meta = contract(cfg)
    add_metadata(enc_path, meta, "encoder")
    add_metadata(dec_path, meta, "decoder")
    return enc_path, dec_path, win_path


def export_window(model: Diarizer, out_prefix: str, int8=True):
    """<out_prefix>-window.onnx, named with its hash in model.cfg (the caller writes the
    contract). It carries only its role and the model id: the contract lives in the pair.
    int8: weights quantized to 8 bits (onnxruntime's dynamic quantization), which makes a
    window about a fifth cheaper on a CPU and its file a quarter of the size; rolling.py
    measures what it costs the provisional labels."""
    model.eval()
    cfg = model.cfg
    path = out_prefix + "-window.onnx"
    feats = torch.randn(2, cfg.window_n_frames, cfg.n_mels)
    with torch.no_grad():
        torch.onnx.export(WindowGraph(model), (feats,), path, opset_version=OPSET, dynamo=False,
                          input_names=["features"], output_names=["activity", "speaker_embedding"],
                          dynamic_axes={"features": {0: "batch"}, "activity": {0: "batch"},
                                        "speaker_embedding": {0: "batch"}})
    add_metadata(path, {"streamdrz.model_id": cfg.model_id}, "window")
    if int8:
        quantize_int8(path)
    cfg.live_window_file = os.path.basename(path)
    cfg.live_window_sha256 = file_sha256(path)
    return path

class OnnxDiarizer:
    """Greedy grammar-masked decoding on the exported graphs with onnxruntime; the
    Python twin of the Java engine, used by evaluation and the parity tests."""

    def __init__(self, prefix, threads=1):
        import onnxruntime as ort
        so = ort.SessionOptions()
        so.intra_op_num_threads = threads
        so.inter_op_num_threads = 1
        self.enc = ort.InferenceSession(prefix + "-encoder.onnx", so, providers=["CPUExecutionProvider"])
        self.dec = ort.InferenceSession(prefix + "-decoder.onnx", so, providers=["CPUExecutionProvider"])
        meta = self.enc.get_modelmeta().custom_metadata_map
        if meta.get("streamdrz.contract_version") != CONTRACT_VERSION:
            raise ValueError(f"{prefix}: contract version {meta.get('streamdrz.contract_version')} != {CONTRACT_VERSION}")
        self.cfg = config_from_metadata(meta)
        self.frontend = MelFrontend(self.cfg)
        self.vad = load_vad(self.cfg, os.path.dirname(os.path.abspath(prefix)), threads)
        self.window = load_window(self.cfg, os.path.dirname(os.path.abspath(prefix)), so)

    def features(self, audio: np.ndarray) -> np.ndarray:
        with torch.no_grad():
            return self.frontend(torch.from_numpy(audio)).numpy()

    def encode(self, feats):
        """-> cross_k, cross_v, speaker_embedding."""
        ck, cv, _, emb = self.enc.run(None, {"features": feats.astype(np.float32)})
        return ck, cv, emb

    def generate(self, feats, n_prompted, encoded=None):
        cfg, tk = self.cfg, self.cfg.tokens
        B = feats.shape[0]
        ck, cv, _ = encoded if encoded is not None else self.encode(feats)
        shape = (cfg.dec_layers, B, cfg.n_heads, 0, cfg.d_model // cfg.n_heads)
        pk = pv = np.zeros(shape, dtype=np.float32)
        seqs, probs = [[tk.sod] for _ in range(B)], [[1.0] for _ in range(B)]
        cur = np.full((B, 1), tk.sod, dtype=np.int64)
        all_logits = []
        for pos in range(tk.max_len - 1):
            logits, pk, pv = self.dec.run(None, {"tokens": cur, "position": np.array([pos], dtype=np.int64),
                                                 "past_k": pk, "past_v": pv, "cross_k": ck, "cross_v": cv})
            all_logits.append(logits)
            for b in range(B):
                t, p = tk.greedy_pick(seqs[b], logits[b], n_prompted[b])
                seqs[b].append(t)
                probs[b].append(p)
                cur[b, 0] = t
            if all(s[-1] in (tk.eos, tk.pad) for s in seqs):
                break
        return seqs, probs, all_logits

    def run_chunks(self, inputs, n_prompted):
        tk = self.cfg.tokens
        feats = self.features(inputs)
        encoded = self.encode(feats)
        seqs, probs, _ = self.generate(feats, n_prompted, encoded)
        emb = encoded[2]
        speech = self.speech(inputs)
        return [ChunkOutput(tk.decode(s, p), emb[b], speech[b]) for b, (s, p) in enumerate(zip(seqs, probs))]

    def run_windows(self, inputs, speech):
        """Live windows (window_input_samples each) through the window graph: segments from
        the activity head, embeddings zero padded to the chunk's frames, `speech` as given."""
        cfg = self.cfg
        if self.window is None:
            raise ValueError(f"{cfg.model_id}: the model has no live window graph")
        act, emb = self.window.run(None, {"features": self.features(np.stack(inputs)).astype(np.float32)})
        pad = np.zeros((cfg.n_enc - emb.shape[1], emb.shape[2]), dtype=emb.dtype)
        return [ChunkOutput(activity_segments(cfg, act[b]), np.concatenate([emb[b], pad]), speech[b])
                for b in range(len(inputs))]

    def speech(self, inputs):
        """Per input, the VAD's speech regions of its chunk, or None without a VAD."""
        if self.vad is None:
            return [None] * len(inputs)
        return inputs_speech(self.vad, inputs, self.cfg)


def load_vad(cfg: ModelConfig, model_dir, threads=1):
    """The contract's VAD file, found next to the model files and checked against its hash."""
    if not cfg.vad_file:
        return None
    path = os.path.join(model_dir, cfg.vad_file)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"{path}: the model's contract names this VAD file")
    if file_sha256(path) != cfg.vad_sha256:
        raise ValueError(f"{path}: sha256 differs from the model contract's {cfg.vad_sha256}")
    return SileroVad(path, threads)


def load_window(cfg: ModelConfig, model_dir, so):
    """The contract's live window graph, checked against its hash; None if it names none."""
    import onnxruntime as ort
    if not cfg.live_window_file:
        return None
    path = os.path.join(model_dir, cfg.live_window_file)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"{path}: the model's contract names this window graph")
    if file_sha256(path) != cfg.live_window_sha256:
        raise ValueError(f"{path}: sha256 differs from the model contract's {cfg.live_window_sha256}")
    return ort.InferenceSession(path, so, providers=["CPUExecutionProvider"])


def config_from_metadata(meta) -> ModelConfig:
    g = lambda k: meta["streamdrz." + k]   # noqa: E731
    return ModelConfig(
        sample_rate=int(g("sample_rate")), n_fft=int(g("mel.n_fft")), win_length=int(g("mel.win_length")),
        hop_length=int(g("mel.hop_length")), n_mels=int(g("mel.n_mels")), f_min=float(g("mel.f_min")),
        f_max=float(g("mel.f_max")), log_floor=float(g("mel.log_floor")), prompt_slots=int(g("prompt_slots")),
        prompt_seconds=float(g("prompt_seconds")), prompt_silence=float(g("prompt_silence_seconds")),
        chunk_seconds=float(g("chunk_seconds")), bin_seconds=float(g("bin_seconds")),
        max_speakers=int(g("max_speakers")), max_segments=int(g("max_segments")),
        dec_layers=int(g("decoder.layers")), n_heads=int(g("decoder.heads")),
        d_model=int(g("decoder.heads")) * int(g("decoder.head_dim")), model_id=g("model_id"),
        spk_dim=int(g("speaker.dim")), match_threshold=float(g("match.threshold")),
        match_min_frames=int(g("match.min_frames")), merge_threshold=float(g("match.merge_threshold")),
        unprompted_merge_threshold=float(g("match.unprompted_merge_threshold")),
        join_gap=float(g("join_gap_seconds")), stranger_threshold=float(g("match.stranger_threshold")),
        profile_weight=float(g("match.profile_weight")), **checked(later_keys(meta)))


LATER_KEYS = {   # ModelConfig field -> contract key, for keys older contracts lack
    "vad_file": "vad.file", "vad_sha256": "vad.sha256", "vad_threshold": "vad.threshold",        # contract 5
    "vad_neg_threshold": "vad.neg_threshold", "vad_min_speech": "vad.min_speech_seconds",
    "vad_min_silence": "vad.min_silence_seconds", "vad_pad": "vad.pad_seconds",
    "fill_min_seconds": "vad.fill_min_seconds",
    "prompt_min_seconds": "prompt.min_seconds", "prompt_edge_seconds": "prompt.edge_seconds",   # contract 6
    "profile_min_frames": "match.profile_min_frames", "refine_iterations": "refine.iterations",
    "refine_min_run": "refine.min_run",
    "identify_threshold": "identify.threshold", "identify_hysteresis": "identify.hysteresis",
    "held_out": "train.held_out",
    "live_window_file": "live.window_file", "live_window_sha256": "live.window_sha256",   # contract 7
    "live_window_seconds": "live.window_seconds", "live_activity_threshold": "live.activity_threshold",
    "nested_share": "overlap.nested_share",                                                # contract 7, later
    "recluster_pieces": "recluster.pieces", "recluster_piece_seconds": "recluster.piece_seconds",   # later still
    "recluster_new_speakers": "recluster.new_speakers",
    "recluster_merge_distance": "recluster.merge_distance",
    "recluster_cepstral_weight": "recluster.cepstral_weight",
    "final_relabel": "final.relabel",
    "final_cepstral_weight": "final.cepstral_weight",
    "final_merge_distance": "final.merge_distance",
}


def checked(keys) -> dict:
    """The later keys with each text key one of its CHOICES, else a ValueError naming it."""
    for field, choices in CHOICES.items():
        if keys[field] not in choices:
            raise ValueError(f"metadata key streamdrz.{LATER_KEYS[field]} must be one of {choices}, not {keys[field]!r}")
    return keys


def later_keys(meta) -> dict:
    """The keys of LATER_KEYS as ModelConfig fields; a file from an older contract lacks
    some, and reads them as the ModelConfig defaults (the values that contract's runtime
    hard-coded, or no speech gate), so that --restamp can add them."""
    d = ModelConfig()
    return {f: type(getattr(d, f))(meta.get("streamdrz." + k, getattr(d, f))) for f, k in LATER_KEYS.items()}


def load_checkpoint(path) -> Diarizer:
    state = torch.load(path, map_location="cpu", weights_only=False)
    model = Diarizer(ModelConfig(**state["model_config"]))
    model.load_state_dict(state["model"])
    return model.eval()


def save_weights(ckpt_path, out_path, compact=False):
    """The training checkpoint without optimizer state: small enough to commit, and
    train.py starts from it (init_from) on a machine without the run's folder; compact:
    weights in bf16 as train.py's resume.pt (half the size, for a checkpoint kept to
    compare or to go on from rather than to ship)."""
    state = torch.load(ckpt_path, map_location="cpu", weights_only=False)
    keep = {k: state[k] for k in ("model", "iter", "best_der", "model_config", "train_config")}
    if compact:
        keep["model"] = {k: v.to(torch.bfloat16) if v.is_floating_point() else v for k, v in keep["model"].items()}
    torch.save(keep, out_path)


OVERRIDES = ("match_threshold", "merge_threshold", "unprompted_merge_threshold", "join_gap", "stranger_threshold",
             "profile_weight", "vad_threshold", "vad_neg_threshold", "fill_min_seconds", "nested_share",
             "identify_threshold", "identify_hysteresis", "recluster_pieces",
             "recluster_piece_seconds", "recluster_new_speakers", "recluster_merge_distance",
             "recluster_cepstral_weight", "final_relabel", "final_cepstral_weight",
             "final_merge_distance")                                                  # a release may set these


CHOICES = {"recluster_new_speakers": NEW_SPEAKERS, "final_relabel": FINAL_RELABEL}   # the text overrides and their values


def apply_overrides(cfg: ModelConfig, a):
    if a.model_id:
        cfg.model_id = a.model_id
    if a.live_window_seconds is not None:
        cfg.live_window_seconds = a.live_window_seconds
    for field in OVERRIDES:
        if getattr(a, field) is not None:
            setattr(cfg, field, type(getattr(ModelConfig(), field))(getattr(a, field)))
    if a.vad_file is not None:
        cfg.vad_file = os.path.basename(a.vad_file)
        cfg.vad_sha256 = file_sha256(a.vad_file) if a.vad_file else ""


def restamp(prefix, a):
    """Rewrites the contract of an exported pair (same graphs, new recipe values): how a
    release changes a tuned value or its speech gate without re-exporting the weights."""
    import onnxruntime as ort
    enc = ort.InferenceSession(prefix + "-encoder.onnx", providers=["CPUExecutionProvider"])
    cfg = config_from_metadata(enc.get_modelmeta().custom_metadata_map)
    if a.live_window_seconds is not None and not a.ckpt:
        raise SystemExit("--live-window-seconds changes the window graph's shape: give --ckpt to make it anew")
    apply_overrides(cfg, a)
    paths = [prefix + "-encoder.onnx", prefix + "-decoder.onnx"]
    if a.ckpt:     # add the live window graph, made from the weights the pair was exported from
        model = load_checkpoint(a.ckpt)
        check_same_weights(model, enc)
        model.cfg = cfg
        paths.append(export_window(model, prefix))
    elif cfg.live_window_file:     # same graph: only the model id it carries, and so its hash, may change
        window = os.path.join(os.path.dirname(prefix), cfg.live_window_file)
        add_metadata(window, {"streamdrz.model_id": cfg.model_id}, "window")
        cfg.live_window_sha256 = file_sha256(window)
        paths.append(window)
    meta = contract(cfg)
    add_metadata(paths[0], meta, "encoder")
    add_metadata(paths[1], meta, "decoder")
    return paths


def quantize_int8(path):
    from onnxruntime.quantization import QuantType, quantize_dynamic
    import onnx
    props = {p.key: p.value for p in onnx.load(path).metadata_props}
    tmp = path + ".int8"
    quantize_dynamic(path, tmp, weight_type=QuantType.QInt8)
    os.replace(tmp, path)
    add_metadata(path, {k: v for k, v in props.items() if k != "streamdrz.graph"}, props["streamdrz.graph"])


def check_same_weights(model: Diarizer, enc):
    """Refuses a checkpoint whose activity differs from the exported encoder's."""
    feats = np.random.default_rng(0).normal(-4, 2, (1, model.cfg.n_frames, model.cfg.n_mels)).astype(np.float32)
    with torch.no_grad():
        want = model.encode(torch.from_numpy(feats))[1].numpy()
    got = enc.run(["activity"], {"features": feats})[0]
    if not np.allclose(want, got, atol=1e-3):
        raise ValueError("the checkpoint is not the one this encoder was exported from")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ckpt", help="checkpoint to export (with --restamp: the pair's own weights, from which "
                                    "the live window graph is made)")
    ap.add_argument("--restamp", metavar="PREFIX", help="instead of exporting, rewrite the contract of this "
                                                        "exported pair with the flags below")
    ap.add_argument("--weights-out", default=None, help="also write the weights-only checkpoint here")
    ap.add_argument("--compact", action="store_true", help="with --weights-out: its weights in bf16")
    ap.add_argument("--out", default="models/shipped/streamdrz")
    ap.add_argument("--model-id", default=None, help="overrides the model id stored in the metadata")
    for field in OVERRIDES:
        choices = CHOICES.get(field)
        ap.add_argument("--" + field.replace("_", "-"), type=str if choices else float, default=None,
                        choices=choices, help="see ModelConfig")
    ap.add_argument("--live-window-seconds", type=float, default=None,
                    help="the live windows' audio after the prompts (the window graph is made for it)")
    ap.add_argument("--vad-file", default=None, help="Silero VAD .onnx to gate speech with; it must lie next "
                                                     "to the model files ('' for none)")
    a = ap.parse_args()
    if a.restamp:
        paths = restamp(a.restamp, a)
    elif a.ckpt:
        model = load_checkpoint(a.ckpt)
        apply_overrides(model.cfg, a)
        paths = export(model, a.out)
        if a.weights_out:
            save_weights(a.ckpt, a.weights_out, a.compact)
            paths = (*paths, a.weights_out)
    else:
        ap.error("give --ckpt or --restamp")
    for p in paths:
        print(f"wrote {p} ({os.path.getsize(p) / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
