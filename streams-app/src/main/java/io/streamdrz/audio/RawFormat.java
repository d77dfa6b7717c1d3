package io.streamdrz.audio;

/**
 * What a headerless audio file holds: sample encoding, rate and interleaved channels.
 */
public record RawFormat(SampleEncoding encoding, int sampleRate, int channels) {

    public RawFormat {
        if (sampleRate <= 0) {
            throw new IllegalArgumentException("sample rate must be positive, not " + sampleRate);
        }
        if (channels < 1) {
            throw new IllegalArgumentException("channels must be >= 1, not " + channels);
        }
    }

    public int bytesPerFrame() {
        return encoding.bytesPerSample() * channels;
    }
}
