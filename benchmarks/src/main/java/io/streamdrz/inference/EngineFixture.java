package io.streamdrz.inference;

import io.streamdrz.audio.AudioClip;
import io.streamdrz.client.CallAudio;
import io.streamdrz.recipe.CallDiarizer;
import io.streamdrz.recipe.CallState;
import io.streamdrz.recipe.PreparedChunk;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What the benchmarks share: the model ({@code -Dstreamdrz.model}, default
 * {@code models/shipped/streamdrz}; {@code -Dstreamdrz.threads} intra-op threads, default 1 as
 * in the app) and realistic model inputs: the chunks of the bundled demo call, each
 * with the speaker prompts the streaming recipe gave it.
 */
final class EngineFixture implements AutoCloseable {

    static final String SAMPLE = "/io/streamdrz/demo/sample-call.wav";

    final DiarizationModel model;
    final ChunkDiarizer engine;
    final List<ModelInput> inputs;

    EngineFixture() {
        ModelOptions options = ModelOptions.builder()
                .prefix(Path.of(System.getProperty("streamdrz.model", "models/shipped/streamdrz")))
                .intraOpThreads(Integer.getInteger("streamdrz.threads", 1))
                .build();
        this.model = DiarizationModel.load(options);
        this.engine = new ChunkDiarizer(model);
        ModelContract c = model.contract();
        AudioClip clip = CallAudio.resource(SAMPLE, "sample").audio().atRate(c.sampleRate);
        CallDiarizer diarizer = new CallDiarizer(c, engine);
        CallState state = new CallState();
        List<ModelInput> prepared = new ArrayList<>();
        int chunks = diarizer.chunkCount(clip.samples().length);
        for (int k = 0; k < chunks; k++) {
            float[] chunk = diarizer.chunk(clip.samples(), k);
            if (chunk.length < c.chunkSamples()) {
                break;      // the short last chunk is not typical
            }
            PreparedChunk p = diarizer.prepare(state, chunk);
            prepared.add(p.input());
            diarizer.absorb(state, p, engine.run(List.of(p.input())).get(0));
        }
        this.inputs = List.copyOf(prepared);
    }

    /** {@code batch} inputs, the call's chunks in turn. */
    List<ModelInput> batch(int batch) {
        List<ModelInput> out = new ArrayList<>(batch);
        for (int i = 0; i < batch; i++) {
            out.add(inputs.get(i % inputs.size()));
        }
        return out;
    }

    @Override
    public void close() {
        model.close();
    }
}
