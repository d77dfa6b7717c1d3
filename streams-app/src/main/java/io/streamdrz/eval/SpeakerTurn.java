package io.streamdrz.eval;

/** One RTTM SPEAKER record: a speaker talking from {@code start} to {@code end} seconds. */
public record SpeakerTurn(double start, double end, String speaker) {
}
