"""streamdrz diarization model: log-mel audio in, (start, end, speaker) tokens out.

Pix2Seq for diarization (the nanodrz idea) as an encoder-decoder:

    audio layout  [prompt slot 0][prompt slot 1][prompt slot 2][chunk]   (fixed length)
    log-mel       (B, T_mel, n_mels)                 -- MelFrontend, same recipe in Java
    encoder       4 mel frames stacked + stride-2 conv (80 ms frames), then a pre-LN
                  transformer, bidirectional: every
                  frame sees the whole prefix (prompts and chunk)
    decoder       causal transformer over tokens with cross-attention to the encoder;
                  KV-cached at inference (see export.py)
    activity head frame-wise speaker activity of the chunk frames (auxiliary loss only;
                  labels follow the same prompt-then-first-appearance order as tokens,
                  so no permutation-invariant loss is needed)

Prompt slots are fixed positions, so learned absolute position embeddings tell the
model which slot (and so which label) a frame belongs to.
"""
import math
from dataclasses import dataclass, field, asdict

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from tokens import TokenSpec


@dataclass
class ModelConfig:
    # audio contract
    sample_rate: int = 16000
    n_fft: int = 512
    win_length: int = 400          # 25 ms
    hop_length: int = 160          # 10 ms
    n_mels: int = 80
    f_min: float = 20.0
    f_max: float = 8000.0
    log_floor: float = 1e-6
    prompt_slots: int = 3
    prompt_seconds: float = 2.0    # speech per slot (shorter prompts are zero padded)
    prompt_silence: float = 0.24   # silence after each slot (slot = 2.24 s = 28 encoder frames)
    chunk_seconds: float = 8.0
    bin_seconds: float = 0.1
    max_speakers: int = 6
    max_segments: int = 20
    # network
    stack: int = 4                 # mel frames stacked before the stride-2 conv
    d_model: int = 192
    n_heads: int = 4
    enc_layers: int = 4
    dec_layers: int = 2
    mlp_ratio: int = 4
    dropout: float = 0.0           # synthetic data never repeats: no need to regularize
    spk_dim: int = 128             # voice embedding per encoder frame (exported: prompt matching)
    vad_input: int = 0             # 1: Silero VAD's speech probability of each mel frame is an
                                   # encoder input (vad.with_vad), beside the log-mel features
    # streaming recipe: a chunk speaker takes a prompt's label when their voices match
    match_threshold: float = 0.4   # least cosine similarity of a match (defaults: select_checkpoint --tune)
    match_min_frames: int = 3      # encoder frames a chunk speaker must speak alone to be compared
    merge_threshold: float = 0.7   # least cosine similarity for a leftover chunk label to join a prompted voice
    unprompted_merge_threshold: float = 0.9   # the same for two labels of a chunk without prompts (a call's start)
    stranger_threshold: float = -1.0   # a known label's segment less similar than this to every prompt is someone else
    profile_weight: float = 1.0    # share of a known speaker's voice taken from all their speech so far, not the prompt
    join_gap: float = 0.5          # a speaker's segments closer than this (seconds) are joined
    prompt_min_seconds: float = 0.5    # shorter clean regions identify a voice too poorly to prompt with
    prompt_edge_seconds: float = 0.1   # trimmed off each end of a predicted clean region: boundaries are uncertain
    profile_min_frames: int = 25   # 2 s of speech: a thinner voice profile does not judge which prompt is typical
    refine_iterations: int = 2     # voice refinement: reassign frames, re-estimate the voices, reassign
    refine_min_run: int = 3        # frames (0.24 s): a shorter run of another voice inside a segment is noise
    # speakers by name (identify_eval.py): a call speaker with profile_min_frames of voice is an enrolled one
    identify_threshold: float = 0.567  # least cosine with their voiceprint: 1 % false acceptance, validation voices
    identify_hysteresis: float = 0.05  # how far the evidence must move before a named label changes
    # speech activity (models/vad.py): Silero VAD decides where speech is, the model who speaks
    vad_file: str = ""             # the VAD's .onnx next to the model files; "" for no speech gate
    vad_sha256: str = ""
    vad_threshold: float = 0.5     # speech starts at this probability ...
    vad_neg_threshold: float = 0.35    # ... and ends below this one (Silero's own defaults)
    vad_min_speech: float = 0.25   # seconds; shorter bursts are not speech
    vad_min_silence: float = 0.1   # seconds; shorter pauses do not end speech
    vad_pad: float = 0.03          # seconds added to each side of a speech region
    fill_min_seconds: float = 0.2  # speech no segment covers, at least this long, goes to the nearest voice
    # a decoded segment with at least this share of its length inside other labels' segments is
    # dropped (prompts.drop_nested); above 1: none (the value of models exported before it)
    nested_share: float = 2.0
    # the call's voice bank (voicebank.py): the newest this many pieces of its labelled speech,
    # clustered again with each chunk's pieces, decide the chunk's labels; 0: no bank (the value
    # of models exported before it)
    recluster_pieces: int = 0
    recluster_piece_seconds: float = 1.0
    # who labels the pieces of a label the bank holds no piece of (a new speaker, or one silent
    # longer than the bank remembers): "stream" keeps the recipe's label (the value of models
    # exported before the key), "bank" clusters them like the rest (models/select_recluster.py)
    recluster_new_speakers: str = "stream"
    # once the bank's clusters are as few as the call's labels, clusters closer than this
    # cosine distance (average linkage) merge too, so that a label given to a voice the bank
    # already holds under another goes back to it; 0: never (the value of models exported
    # before the key)
    recluster_merge_distance: float = 0.0
    # the bank's distance between two pieces: (voice cosine distance + w x cepstral cosine
    # distance) / (1 + w), the cepstral one of the pieces' mean and deviation of c1..c19 of
    # the log-mel frames, each dimension standardized over the pieces clustered together.
    # Why: the model's voice embedding learned ~100 training voices; the call's own cepstral
    # statistics separate two unseen voices of one call that it hears as close. 0: voice
    # alone (the value of models exported before the key)
    recluster_cepstral_weight: float = 0.0
    # a whole file's labels decided once more at its end (streamdrz diarize; the app emits each
    # segment once, live): "labels" clusters every piece of the call, embedded by the streaming
    # pass, into as many clusters as it has live labels (voicebank.final_labels); "none": no
    # such pass (the value of models exported before the key)
    final_relabel: str = "none"
    # the final pass's distance between two pieces: (voice + w x cepstral) / (1 + w), as the
    # bank's recluster_cepstral_weight, from the whole call's pieces. Why: at a call's end every
    # piece of both voices is there to standardize the cepstra over, and on the real validation
    # of models that never heard those voices it is what separates them (models/EXPERIMENTS.md).
    # 0: voice alone (the value of models exported before the key)
    final_cepstral_weight: float = 0.0
    # the final pass goes on merging below its count of live labels while its two closest clusters
    # are nearer than this. Why: a voice heard alone often gets a second live label, and clustering
    # into as many voices as live labels then splits it in two (models/EXPERIMENTS.md).
    # 0: never (the value of models exported before the key)
    final_merge_distance: float = 0.0
    # live labels (rolling.py, LiveLabeler): a window is the prompts and the newest window_seconds
    # of a call through the encoder alone; its frame-wise activity head, not the decoder,
    # says who speaks (about a third of a final chunk's cost, models/rolling.py)
    live_window_file: str = ""     # the window graph next to the model files; "" for none
    live_window_sha256: str = ""
    live_window_seconds: float = 3.0
    live_activity_threshold: float = 0.5   # a frame is a speaker's when sigmoid(activity) exceeds this
    # voice embedding: 0 projects the encoder memory; >0 is a convolutional voice network of
    # this width over the mel frames alone (VoiceNet, trained by voice.py)
    voice_channels: int = 0
    voice_dilations: str = "1,2,3"     # its residual blocks at 80 ms frames
    voice_cmn_frames: int = 301        # its sliding mean, in 10 ms frames
    n_train_speakers: int = 0      # >0: training-only speaker-id head (additive angular margin softmax)
    held_out: str = ""             # identities no training call used (train.py --held_out): what reports may call unseen
    model_id: str = "streamdrz-small"

    @property
    def tokens(self) -> TokenSpec:
        return TokenSpec(chunk_seconds=self.chunk_seconds, bin_seconds=self.bin_seconds,
                         max_speakers=self.max_speakers, max_segments=self.max_segments)

    @property
    def slot_samples(self) -> int:
        return int(round((self.prompt_seconds + self.prompt_silence) * self.sample_rate))

    @property
    def prompt_samples(self) -> int:
        return int(round(self.prompt_seconds * self.sample_rate))

    @property
    def chunk_samples(self) -> int:
        return int(round(self.chunk_seconds * self.sample_rate))

    @property
    def input_samples(self) -> int:
        return self.prompt_slots * self.slot_samples + self.chunk_samples

    @property
    def n_frames(self) -> int:          # mel frames of the whole input
        return self.input_samples // self.hop_length

    @property
    def n_enc(self) -> int:             # encoder frames: stack 4, then stride 2
        return math.ceil((self.n_frames // self.stack) / 2)

    @property
    def chunk_enc_start(self) -> int:   # first encoder frame of the chunk
        return (self.prompt_slots * self.slot_samples // self.hop_length) // (2 * self.stack)

    @property
    def enc_frame_seconds(self) -> float:
        return 2 * self.stack * self.hop_length / self.sample_rate

    @property
    def window_samples(self) -> int:    # the chunk part of a live window
        return int(round(self.live_window_seconds * self.sample_rate))

    @property
    def window_input_samples(self) -> int:
        return self.prompt_slots * self.slot_samples + self.window_samples

    @property
    def window_n_frames(self) -> int:
        return self.window_input_samples // self.hop_length


# ---------------------------------------------------------------------------------
# features

def mel_filterbank(cfg: ModelConfig) -> np.ndarray:
    """(n_mels, n_fft//2+1) triangular filters on the HTK mel scale, peak 1, no area
    normalization. Java (MelFrontend) builds the same matrix from the same formula."""
    def hz_to_mel(f):
        return 2595.0 * np.log10(1.0 + f / 700.0)

    def mel_to_hz(m):
        return 700.0 * (10.0 ** (m / 2595.0) - 1.0)

    n_bins = cfg.n_fft // 2 + 1
    fft_freqs = np.arange(n_bins) * cfg.sample_rate / cfg.n_fft
    mels = np.linspace(hz_to_mel(cfg.f_min), hz_to_mel(cfg.f_max), cfg.n_mels + 2)
    hz = mel_to_hz(mels)
    fb = np.zeros((cfg.n_mels, n_bins), dtype=np.float64)
    for m in range(cfg.n_mels):
        lo, c, hi = hz[m], hz[m + 1], hz[m + 2]
        up = (fft_freqs - lo) / (c - lo)
        down = (hi - fft_freqs) / (hi - c)
        fb[m] = np.maximum(0.0, np.minimum(up, down))
    return fb.astype(np.float32)


class MelFrontend(nn.Module):
    """Log-mel features. Recipe (the contract, mirrored in Java):
    frame t covers samples [t*hop, t*hop + win) of the input, zero padded past its end;
    T = n_samples // hop frames; periodic Hann window of length win; zero padded to
    n_fft; power spectrum |X|^2; HTK mel filterbank; ln(mel + log_floor)."""

    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.cfg = cfg
        self.register_buffer("window", torch.hann_window(cfg.win_length, periodic=True), persistent=False)
        self.register_buffer("fb", torch.from_numpy(mel_filterbank(cfg)), persistent=False)

    def forward(self, audio: torch.Tensor) -> torch.Tensor:   # (B, N) -> (B, T, n_mels)
        cfg = self.cfg
        n_frames = audio.shape[1] // cfg.hop_length
        pad = (n_frames - 1) * cfg.hop_length + cfg.win_length - audio.shape[1]
        x = F.pad(audio, (0, max(pad, 0)))
        frames = x.unfold(1, cfg.win_length, cfg.hop_length)[:, :n_frames]   # (B, T, win)
        spec = torch.fft.rfft(frames * self.window, n=cfg.n_fft)             # (B, T, F)
        power = spec.real ** 2 + spec.imag ** 2
        mel = power @ self.fb.T
        return torch.log(mel + cfg.log_floor)


# ---------------------------------------------------------------------------------
# transformer pieces

class Attention(nn.Module):
    """Multi-head attention with explicit shapes; self- or cross-attention."""

    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.h, self.dh = cfg.n_heads, cfg.d_model // cfg.n_heads
        self.q = nn.Linear(cfg.d_model, cfg.d_model)
        self.kv = nn.Linear(cfg.d_model, 2 * cfg.d_model)
        self.o = nn.Linear(cfg.d_model, cfg.d_model)
        self.drop = nn.Dropout(cfg.dropout)

    def split(self, x):                                   # (B, T, D) -> (B, H, T, dh)
        B, T, _ = x.shape
        return x.view(B, T, self.h, self.dh).transpose(1, 2)

    def project_kv(self, src):                            # -> k, v each (B, H, S, dh)
        k, v = self.kv(src).chunk(2, dim=-1)
        return self.split(k), self.split(v)

    def attend(self, x, k, v, mask=None):                 # x: (B, T, D)
        B, T, D = x.shape
        q = self.split(self.q(x))
        att = (q @ k.transpose(-2, -1)) / math.sqrt(self.dh)   # (B, H, T, S)
        if mask is not None:
            att = att.masked_fill(~mask, float("-inf"))
        att = self.drop(torch.softmax(att, dim=-1))
        y = (att @ v).transpose(1, 2).reshape(B, T, D)
        return self.o(y)


class MLP(nn.Module):
    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.fc = nn.Linear(cfg.d_model, cfg.mlp_ratio * cfg.d_model)
        self.proj = nn.Linear(cfg.mlp_ratio * cfg.d_model, cfg.d_model)
        self.drop = nn.Dropout(cfg.dropout)

    def forward(self, x):
        return self.drop(self.proj(F.gelu(self.fc(x))))


class EncoderBlock(nn.Module):
    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.ln1, self.ln2 = nn.LayerNorm(cfg.d_model), nn.LayerNorm(cfg.d_model)
        self.attn, self.mlp = Attention(cfg), MLP(cfg)

    def forward(self, x):
        h = self.ln1(x)
        k, v = self.attn.project_kv(h)
        x = x + self.attn.attend(h, k, v)
        return x + self.mlp(self.ln2(x))


class DecoderBlock(nn.Module):
    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.ln1, self.ln2, self.ln3 = (nn.LayerNorm(cfg.d_model) for _ in range(3))
        self.self_attn, self.cross_attn, self.mlp = Attention(cfg), Attention(cfg), MLP(cfg)

    def forward(self, x, k_self, v_self, k_cross, v_cross, mask=None):
        """k_self/v_self: keys and values of all positions up to and including x's."""
        x = x + self.self_attn.attend(self.ln1(x), k_self, v_self, mask)
        x = x + self.cross_attn.attend(self.ln2(x), k_cross, v_cross)
        return x + self.mlp(self.ln3(x))


class Encoder(nn.Module):
    def __init__(self, cfg: ModelConfig):
        super().__init__()
        d = cfg.d_model
        self.stack = cfg.stack
        self.inp = nn.Linear(cfg.stack * cfg.n_mels, d)
        # zero at the start, so that weights trained without it start from what they did
        self.vad = nn.Linear(cfg.stack, d, bias=False) if cfg.vad_input else None
        self.conv = nn.Conv1d(d, d, 3, stride=2, padding=1)
        self.pos = nn.Parameter(torch.zeros(1, cfg.n_enc, d))
        self.blocks = nn.ModuleList(EncoderBlock(cfg) for _ in range(cfg.enc_layers))
        self.ln = nn.LayerNorm(d)
        self.drop = nn.Dropout(cfg.dropout)

    def forward(self, feats):                             # (B, T_mel, n_mels [+1]) -> (B, S, D)
        B, T, M = feats.shape
        T4 = T // self.stack
        if self.vad is not None:                          # the last column is the VAD's probability
            if M != self.inp.in_features // self.stack + 1:
                raise ValueError("this model takes the VAD as an input: give it vad.with_vad(features)")
            p = feats[:, : T4 * self.stack, -1].reshape(B, T4, self.stack)
            feats, M = feats[..., :-1], M - 1
        x = (feats + 4.0) / 4.0                           # fixed scaling of ln-mel values
        x = self.inp(x[:, : T4 * self.stack].reshape(B, T4, self.stack * M))   # (B, T/4, 4*n_mels)
        if self.vad is not None:
            x = x + self.vad(p)
        x = F.gelu(x).transpose(1, 2)
        x = F.gelu(self.conv(x)).transpose(1, 2)                     # (B, T/8, D)
        x = self.drop(x + self.pos[:, : x.shape[1]])
        for b in self.blocks:
            x = b(x)
        return self.ln(x)


def aam_loss(emb, targets, classes, margin, scale=30.0):
    """Additive-angular-margin softmax: emb (N, E) unit, targets (N,) index into classes (C, E).
    In fp32 outside autocast: on CUDA, autocast makes the product bf16 and acos fp32."""
    with torch.autocast(device_type=emb.device.type, enabled=False):
        cos = emb.float() @ F.normalize(classes.float(), dim=-1).T
        theta = torch.acos(cos.gather(1, targets[:, None]).clamp(-1 + 1e-6, 1 - 1e-6))
        logits = cos.scatter(1, targets[:, None], torch.cos(theta + margin)) * scale
        return F.cross_entropy(logits, targets)


class VoiceNet(nn.Module):
    """One unit voice embedding per encoder frame from about 1.3 s of mel frames around
    it, and nothing else: no attention to the rest of the chunk or to the prompts, whose
    other voices would colour it. A sliding mean over 3 s (digital silence, the prompt
    padding, left out of it) removes the channel's spectral colour, as in x-vector
    recipes. Mel frames [8j, 8j + 8) make frame j, as in the encoder."""

    SILENCE_LOG = -13.0      # a mel frame below this in every bin is digital silence

    def __init__(self, cfg: ModelConfig):
        super().__init__()
        c, self.cmn = cfg.voice_channels, cfg.voice_cmn_frames
        self.down = nn.Sequential(*[nn.Sequential(nn.Conv1d(cfg.n_mels if i == 0 else c, c, 5, 2, 2),
                                                  nn.BatchNorm1d(c), nn.ReLU()) for i in range(3)])
        self.blocks = nn.ModuleList(nn.Sequential(nn.Conv1d(c, c, 3, 1, d, dilation=d), nn.BatchNorm1d(c), nn.ReLU(),
                                                  nn.Conv1d(c, c, 1), nn.BatchNorm1d(c))
                                    for d in (int(x) for x in cfg.voice_dilations.split(",")))
        self.out = nn.Sequential(nn.ReLU(), nn.Conv1d(c, 2 * c, 1), nn.ReLU(), nn.Conv1d(2 * c, cfg.spk_dim, 1))

    def normalize(self, feats):
        x = feats.transpose(1, 2)                                            # (B, M, T)
        live = (x.amax(1, keepdim=True) > self.SILENCE_LOG).to(x.dtype)      # (B, 1, T)
        num = F.avg_pool1d(x * live, self.cmn, 1, self.cmn // 2, count_include_pad=True)
        den = F.avg_pool1d(live, self.cmn, 1, self.cmn // 2, count_include_pad=True).clamp_min(1e-3)
        return (x - num / den) * live

    def forward(self, feats):                             # (B, T_mel, n_mels) -> (B, ceil(T/8), spk_dim)
        h = self.down(self.normalize(feats))
        for b in self.blocks:
            h = F.relu(h + b(h))
        return F.normalize(self.out(h).transpose(1, 2), dim=-1)


class Diarizer(nn.Module):
    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.cfg = cfg
        tk = cfg.tokens
        d = cfg.d_model
        self.frontend = MelFrontend(cfg)
        self.encoder = Encoder(cfg)
        self.tok_emb = nn.Embedding(tk.vocab_size, d)
        self.dec_pos = nn.Parameter(torch.zeros(1, tk.max_len, d))
        self.dec_blocks = nn.ModuleList(DecoderBlock(cfg) for _ in range(cfg.dec_layers))
        self.dec_ln = nn.LayerNorm(d)
        self.head = nn.Linear(d, tk.vocab_size, bias=False)
        self.activity = nn.Linear(d, cfg.max_speakers)
        # voice embedding of every frame: the streaming recipe compares a chunk's speakers
        # with the prompt slots through it (x-vector style identification)
        self.spk_proj = nn.Linear(d, cfg.spk_dim)
        self.voice = VoiceNet(cfg) if cfg.voice_channels else None
        if cfg.n_train_speakers:
            # speaker classification of single-speaker frames, training only: it pushes
            # the embeddings towards voice features that hold for unseen speakers
            self.spk_classes = nn.Parameter(torch.randn(cfg.n_train_speakers, cfg.spk_dim) * 0.02)
        self.apply(self._init)
        nn.init.normal_(self.encoder.pos, std=0.02)
        if self.encoder.vad is not None:
            nn.init.zeros_(self.encoder.vad.weight)
        nn.init.normal_(self.dec_pos, std=0.02)

    @staticmethod
    def _init(m):
        if isinstance(m, (nn.Linear, nn.Embedding)):
            nn.init.normal_(m.weight, std=0.02)
            if getattr(m, "bias", None) is not None:
                nn.init.zeros_(m.bias)

    # -- pieces shared by training and the exported graphs --------------------------

    def encode(self, feats):
        """feats (B, T_mel, n_mels) -> memory (B, S, D), activity logits (B, S_chunk, K)."""
        mem = self.encoder(feats)
        act = self.activity(mem[:, self.cfg.chunk_enc_start:])
        return mem, act

    def cross_kv(self, mem):
        """Per decoder layer cross-attention keys/values: (L, B, H, S, dh) each."""
        ks, vs = zip(*(b.cross_attn.project_kv(mem) for b in self.dec_blocks))
        return torch.stack(ks), torch.stack(vs)

    def decode_step(self, tokens, pos0, past_k, past_v, cross_k, cross_v):
        """Run the decoder on `tokens` (B, T) at positions pos0..pos0+T-1, attending to
        `past_k/v` (L, B, H, P, dh) of earlier positions. Returns logits (B, T, V) and
        the updated caches (L, B, H, P+T, dh)."""
        T = tokens.shape[1]
        x = self.tok_emb(tokens) + self.dec_pos[:, pos0: pos0 + T]
        new_k, new_v = [], []
        P = past_k.shape[3]
        # causal over the new tokens, full over the past
        mask = torch.ones(T, P + T, dtype=torch.bool, device=tokens.device).tril(P)
        for i, b in enumerate(self.dec_blocks):
            k, v = b.self_attn.project_kv(b.ln1(x))
            k = torch.cat([past_k[i], k], dim=2)
            v = torch.cat([past_v[i], v], dim=2)
            new_k.append(k)
            new_v.append(v)
            x = b(x, k, v, cross_k[i], cross_v[i], mask)
        return self.head(self.dec_ln(x)), torch.stack(new_k), torch.stack(new_v)

    def empty_cache(self, batch: int, device=None):
        c = self.cfg
        shape = (c.dec_layers, batch, c.n_heads, 0, c.d_model // c.n_heads)
        return torch.zeros(shape, device=device), torch.zeros(shape, device=device)

    # -- training ----------------------------------------------------------------------

    def forward(self, feats, tokens):
        """Teacher forcing: tokens (B, L) are inputs; logits predict tokens[:, 1:].
        Returns logits, activity logits and the encoder memory (for auxiliary losses)."""
        mem, act = self.encode(feats)
        ck, cv = self.cross_kv(mem)
        pk, pv = self.empty_cache(feats.shape[0], feats.device)
        logits, _, _ = self.decode_step(tokens, 0, pk, pv, ck, cv)
        return logits, act, mem

    # -- greedy decoding with the grammar (reference for Java) --------------------------

    @torch.no_grad()
    def generate(self, feats, n_prompted, mem=None):
        """Greedy KV-cached decoding with grammar masking. feats (B, T_mel, n_mels),
        n_prompted: list of ints, mem: the encoder memory if the caller has it already.
        Returns (tokens, probs) lists per example."""
        tk = self.cfg.tokens
        B = feats.shape[0]
        if mem is None:
            mem, _ = self.encode(feats)
        ck, cv = self.cross_kv(mem)
        pk, pv = self.empty_cache(B, feats.device)
        seqs = [[tk.sod] for _ in range(B)]
        probs = [[1.0] for _ in range(B)]
        cur = torch.full((B, 1), tk.sod, dtype=torch.long, device=feats.device)
        for pos in range(tk.max_len - 1):
            logits, pk, pv = self.decode_step(cur, pos, pk, pv, ck, cv)
            step = logits[:, -1].float().cpu().numpy()
            nxt = []
            for b in range(B):
                t, p = tk.greedy_pick(seqs[b], step[b], n_prompted[b])
                seqs[b].append(t)
                probs[b].append(p)
                nxt.append(t)
            cur = torch.tensor(nxt, dtype=torch.long, device=feats.device).view(B, 1)
            if all(s[-1] in (tk.eos, tk.pad) for s in seqs):
                break
        return seqs, probs

    def speaker_embeddings(self, mem, feats):
        """Unit-length voice embedding of every encoder frame: (B, S, spk_dim), from the
        voice network when the model has one, else from the encoder memory."""
        if self.voice is not None:
            return self.voice(feats)[:, : mem.shape[1]]
        return F.normalize(self.spk_proj(mem), dim=-1)

    def slot_embeddings(self, emb, audio):
        """Mean embedding of each prompt slot over its frames that hold prompt audio
        (slots are zero padded, so a frame counts when any of its samples is non-zero).
        emb (B, S, E), audio (B, N) -> (B, prompt_slots, E), unit length (zero if empty)."""
        c = self.cfg
        step = 2 * c.stack * c.hop_length          # samples per encoder frame
        per_slot = c.slot_samples // step          # a slot is a whole number of frames
        n = c.prompt_slots * per_slot
        voiced = audio[:, : n * step].reshape(audio.shape[0], n, step).abs().amax(-1) > 0   # (B, n)
        w = voiced.to(emb.dtype).view(-1, c.prompt_slots, per_slot, 1)
        e = emb[:, :n].reshape(-1, c.prompt_slots, per_slot, emb.shape[-1])
        return F.normalize((e * w).sum(2), dim=-1)

    def prompt_match_loss(self, emb, audio, act, n_prompted, scale=10.0):
        """Which prompt slot does each single-speaker chunk frame belong to? Softmax over
        the cosine similarities to the prompted slots, on frames of prompted speakers of
        chunks with two or more prompts. act (B, S_chunk, K) 0/1 targets, n_prompted (B,)."""
        c = self.cfg
        slots = self.slot_embeddings(emb, audio)
        cos = (emb[:, c.chunk_enc_start:].float() @ slots.float().transpose(1, 2)) * scale   # (B, Sc, slots)
        ok_slot = torch.arange(c.prompt_slots, device=emb.device)[None, :] < n_prompted[:, None]
        cos = cos.masked_fill(~ok_slot[:, None, :], -1e4)
        lab = act.argmax(-1)
        keep = (act.sum(-1) == 1) & (lab < n_prompted[:, None]) & (n_prompted[:, None] >= 2)
        if not keep.any():
            return cos.sum() * 0.0
        return F.cross_entropy(cos[keep], lab[keep])

    def speaker_id_loss(self, mem, targets, margin=0.2, scale=30.0):
        """AAM-softmax over chunk frames; targets (B, S_chunk) identity index or -100."""
        emb = F.normalize(self.spk_proj(mem[:, self.cfg.chunk_enc_start:]), dim=-1)
        keep = targets >= 0
        if not keep.any():
            return emb.sum() * 0.0
        return aam_loss(emb[keep], targets[keep], self.spk_classes, margin, scale)

    def config_dict(self):
        return asdict(self.cfg)
