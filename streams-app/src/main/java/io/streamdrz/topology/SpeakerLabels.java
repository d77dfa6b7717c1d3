package io.streamdrz.topology;

/** Call-level speaker numbers as the letters on segments-out: 0 is A, 25 is Z, 26 is AA. */
public final class SpeakerLabels {

    private SpeakerLabels() {
    }

    public static String letters(int label) {
        if (label < 0) {
            throw new IllegalArgumentException("speaker label must be >= 0, not " + label);
        }
        StringBuilder text = new StringBuilder();
        for (int n = label + 1; n > 0; n = (n - 1) / 26) {
            text.append((char) ('A' + (n - 1) % 26));
        }
        return text.reverse().toString();
    }
}
