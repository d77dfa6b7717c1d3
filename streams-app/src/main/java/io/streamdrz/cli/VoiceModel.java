package io.streamdrz.cli;

import io.streamdrz.app.StreamdrzConfig;
import io.streamdrz.audio.AudioDecodeException;
import io.streamdrz.audio.AudioFileReader;
import io.streamdrz.inference.ChunkDiarizer;
import io.streamdrz.inference.DiarizationModel;
import io.streamdrz.inference.ModelContract;
import io.streamdrz.speakers.MfccStatistics;
import io.streamdrz.speakers.VoiceEmbedder;

import java.nio.file.Path;
import java.util.Map;

/**
 * The model as the voiceprint commands ({@code enroll}, {@code similar}) use it: the
 * configuration with the model path resolved as {@code run} resolves it, the voice
 * embedder, the MFCC baseline, and audio files read at the model's rate.
 */
final class VoiceModel implements AutoCloseable {

    private final DiarizationModel model;
    private final VoiceEmbedder embedder;
    private final MfccStatistics mfcc;

    private VoiceModel(DiarizationModel model) {
        this.model = model;
        this.embedder = new VoiceEmbedder(model.contract(), new ChunkDiarizer(model));
        this.mfcc = new MfccStatistics(model.contract().mel);
    }

    /** The configuration of {@code kafka} and {@code flags} with the model path resolved. */
    static StreamdrzConfig config(KafkaOptions kafka, Map<String, String> flags) {
        StreamdrzConfig config = kafka.load(flags);
        flags.put(StreamdrzConfig.MODEL_PATH, ModelLocation.resolve(config.getString(StreamdrzConfig.MODEL_PATH)));
        return kafka.load(flags);
    }

    static VoiceModel load(StreamdrzConfig config) {
        return new VoiceModel(DiarizationModel.load(config.modelOptions()));
    }

    ModelContract contract() {
        return model.contract();
    }

    VoiceEmbedder embedder() {
        return embedder;
    }

    MfccStatistics mfcc() {
        return mfcc;
    }

    /** The file's audio, mono at the model's rate. */
    float[] read(Path file) throws AudioDecodeException {
        return AudioFileReader.read(file, null, model.contract().sampleRate).samples();
    }

    @Override
    public void close() {
        model.close();
    }
}
