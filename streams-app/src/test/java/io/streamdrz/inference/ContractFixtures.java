package io.streamdrz.inference;

import java.util.HashMap;
import java.util.Map;

/** Metadata as models/export.py writes it for the default ModelConfig, for tests without a model. */
public final class ContractFixtures {

    private ContractFixtures() {
    }

    public static Map<String, String> metadata(String graph) {
        Map<String, String> m = new HashMap<>();
        m.put("streamdrz.contract_version", "7");
        m.put("streamdrz.model_id", "streamdrz-small");
        m.put("streamdrz.sample_rate", "16000");
        m.put("streamdrz.mel.n_fft", "512");
        m.put("streamdrz.mel.win_length", "400");
        m.put("streamdrz.mel.hop_length", "160");
        m.put("streamdrz.mel.n_mels", "80");
        m.put("streamdrz.mel.f_min", "20.0");
        m.put("streamdrz.mel.f_max", "8000.0");
        m.put("streamdrz.mel.log_floor", "1e-06");
        m.put("streamdrz.mel.recipe", "frames t*hop..t*hop+win zero padded at the end; ...");
        m.put("streamdrz.prompt_slots", "3");
        m.put("streamdrz.prompt_seconds", "2.0");
        m.put("streamdrz.prompt_silence_seconds", "0.24");
        m.put("streamdrz.chunk_seconds", "8.0");
        m.put("streamdrz.input_samples", "235520");
        m.put("streamdrz.n_frames", "1472");
        m.put("streamdrz.bin_seconds", "0.1");
        m.put("streamdrz.max_speakers", "6");
        m.put("streamdrz.max_segments", "20");
        m.put("streamdrz.token.pad", "0");
        m.put("streamdrz.token.eos", "1");
        m.put("streamdrz.token.sod", "2");
        m.put("streamdrz.token.time0", "3");
        m.put("streamdrz.token.n_bins", "81");
        m.put("streamdrz.token.speaker0", "84");
        m.put("streamdrz.token.vocab_size", "90");
        m.put("streamdrz.token.max_len", "62");
        m.put("streamdrz.decoder.layers", "2");
        m.put("streamdrz.decoder.heads", "4");
        m.put("streamdrz.decoder.head_dim", "48");
        m.put("streamdrz.encoder.frames", "184");
        m.put("streamdrz.encoder.chunk_start", "84");
        m.put("streamdrz.encoder.frame_seconds", "0.08");
        m.put("streamdrz.encoder.frame_samples", "1280");
        m.put("streamdrz.speaker.dim", "128");
        m.put("streamdrz.match.threshold", "0.3");
        m.put("streamdrz.match.merge_threshold", "0.6");
        m.put("streamdrz.match.unprompted_merge_threshold", "0.9");
        m.put("streamdrz.match.min_frames", "3");
        m.put("streamdrz.join_gap_seconds", "0.15");
        m.put("streamdrz.prompt.min_seconds", "0.5");
        m.put("streamdrz.prompt.edge_seconds", "0.1");
        m.put("streamdrz.match.profile_min_frames", "25");
        m.put("streamdrz.refine.iterations", "2");
        m.put("streamdrz.refine.min_run", "3");
        m.put("streamdrz.identify.threshold", "0.5");
        m.put("streamdrz.identify.hysteresis", "0.1");
        m.put("streamdrz.match.stranger_threshold", "0.5");
        m.put("streamdrz.match.profile_weight", "0.75");
        m.put("streamdrz.match.recipe", "label embedding = mean speaker_embedding ...");
        m.put("streamdrz.vad.file", "");
        m.put("streamdrz.vad.sha256", "");
        m.put("streamdrz.vad.threshold", "0.5");
        m.put("streamdrz.vad.neg_threshold", "0.35");
        m.put("streamdrz.vad.min_speech_seconds", "0.25");
        m.put("streamdrz.vad.min_silence_seconds", "0.1");
        m.put("streamdrz.vad.pad_seconds", "0.03");
        m.put("streamdrz.vad.fill_min_seconds", "0.2");
        m.put("streamdrz.live.window_file", "");
        m.put("streamdrz.live.window_sha256", "");
        m.put("streamdrz.live.window_seconds", "3.0");
        m.put("streamdrz.live.activity_threshold", "0.5");
        m.put("streamdrz.grammar", "SOD (start end speaker)* EOS; ...");
        m.put("streamdrz.graph", graph);
        return m;
    }

    public static ModelContract contract() {
        return ModelContract.fromMetadata("test-encoder.onnx", metadata("encoder"));
    }
}
