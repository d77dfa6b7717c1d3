package io.streamdrz.inference;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;

/**
 * The model's token grammar, in one place on the Java side (the Python twin is
 * {@code models/tokens.py}): a chunk is {@code SOD (start end speaker)* EOS PAD*}.
 *
 * <ul>
 *   <li>position 0 of a triple: EOS, or a time bin from the previous start up to
 *       {@code n_bins - 2} (a start in the last bin could get no end); once
 *       {@code max_segments} triples are complete, only EOS;</li>
 *   <li>position 1: a time bin after the start;</li>
 *   <li>position 2: a speaker label {@code 0..next_new}, where
 *       {@code next_new = min(max(n_prompted - 1, highest label used) + 1, max_speakers - 1)};</li>
 *   <li>after EOS: PAD only.</li>
 * </ul>
 *
 * Ids come from the model contract. Decoding follows one {@link Cursor} per sequence.
 */
public final class TokenGrammar {

    private final ModelContract c;

    public TokenGrammar(ModelContract contract) {
        this.c = contract;
    }

    /** A cursor at the start of a sequence (after SOD) for a chunk with {@code nPrompted} prompts. */
    public Cursor start(int nPrompted) {
        return new Cursor(nPrompted);
    }

    public boolean isTime(int token) {
        return token >= c.tokenTime0 && token < c.tokenSpeaker0;
    }

    public boolean isSpeaker(int token) {
        return token >= c.tokenSpeaker0 && token < c.vocabSize;
    }

    /**
     * Where one sequence stands in the grammar. Tracks just what the rules need (triples
     * so far, the last start, the highest label), so each step costs O(1) plus the
     * range of allowed ids.
     */
    public final class Cursor {

        private final int nPrompted;
        private int bodyLength;
        private int lastStartBin;
        private int maxLabel = -1;
        private boolean finished;

        private Cursor(int nPrompted) {
            this.nPrompted = nPrompted;
        }

        /** True after EOS. */
        public boolean finished() {
            return finished;
        }

        /** The allowed ids form at most two ranges; this fills {@code allowed} (vocab-sized) with them. */
        public void allowed(boolean[] allowed) {
            java.util.Arrays.fill(allowed, false);
            if (finished) {
                allowed[c.tokenPad] = true;
                return;
            }
            int pos = bodyLength % 3;
            if (pos == 0) {
                allowed[c.tokenEos] = true;
                if (bodyLength / 3 < c.maxSegments) {
                    int from = bodyLength == 0 ? 0 : lastStartBin;
                    for (int bin = from; bin <= c.nBins - 2; bin++) {
                        allowed[c.tokenTime0 + bin] = true;
                    }
                }
            } else if (pos == 1) {
                for (int bin = lastStartBin + 1; bin <= c.nBins - 1; bin++) {
                    allowed[c.tokenTime0 + bin] = true;
                }
            } else {
                int nextNew = Math.min(Math.max(nPrompted - 1, maxLabel) + 1, c.maxSpeakers - 1);
                for (int label = 0; label <= nextNew; label++) {
                    allowed[c.tokenSpeaker0 + label] = true;
                }
            }
        }

        /** Advances past {@code token}, which must be allowed. */
        public void accept(int token) {
            if (finished) {
                return;
            }
            if (token == c.tokenEos || token == c.tokenPad) {
                finished = true;
                return;
            }
            int pos = bodyLength % 3;
            if (pos == 0) {
                lastStartBin = token - c.tokenTime0;
            } else if (pos == 2) {
                maxLabel = Math.max(maxLabel, token - c.tokenSpeaker0);
            }
            bodyLength++;
        }
    }

    /**
     * Tokens to segments, as {@code TokenSpec.decode} does: SOD and PAD are skipped,
     * reading stops at EOS, malformed or empty triples are dropped; times are
     * {@code (bin - time0) * bin_seconds} rounded to 1 ms; the confidence is the
     * geometric mean of the three token probabilities (each floored at 1e-9).
     *
     * @param probs the probability of each token (same length as tokens), or null for 1
     */
    public List<ChunkSegment> segments(int[] tokens, double[] probs) {
        List<Integer> body = new ArrayList<>();
        for (int i = 0; i < tokens.length; i++) {
            int t = tokens[i];
            if (t == c.tokenSod || t == c.tokenPad) {
                continue;
            }
            if (t == c.tokenEos) {
                break;
            }
            body.add(i);
        }
        List<ChunkSegment> out = new ArrayList<>();
        for (int j = 0; j + 2 < body.size(); j += 3) {
            int ia = body.get(j);
            int ib = body.get(j + 1);
            int ic = body.get(j + 2);
            int a = tokens[ia];
            int b = tokens[ib];
            int s = tokens[ic];
            if (!(isTime(a) && isTime(b) && isSpeaker(s))) {
                continue;
            }
            double start = (a - c.tokenTime0) * c.binSeconds;
            double end = (b - c.tokenTime0) * c.binSeconds;
            if (end <= start) {
                continue;
            }
            double conf = 1.0;
            if (probs != null) {
                conf = Math.exp((Math.log(Math.max(probs[ia], 1e-9)) + Math.log(Math.max(probs[ib], 1e-9))
                        + Math.log(Math.max(probs[ic], 1e-9))) / 3);
            }
            out.add(new ChunkSegment(round3(start), round3(end), s - c.tokenSpeaker0, conf));
        }
        return out;
    }

    /** Python's {@code round(x, 3)}: the exact binary value rounded half-to-even. */
    static double round3(double x) {
        return new BigDecimal(x).setScale(3, RoundingMode.HALF_EVEN).doubleValue();
    }
}
