package io.streamdrz.inference;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The rules of tokens.py allowed_next and decode, case by case (ids: PAD 0, EOS 1, SOD 2, bins 3..83, labels 84..89). */
class TokenGrammarTest {

    private final ModelContract c = ContractFixtures.contract();
    private final TokenGrammar grammar = new TokenGrammar(c);

    private int bin(int b) {
        return c.tokenTime0 + b;
    }

    private int spk(int label) {
        return c.tokenSpeaker0 + label;
    }

    private List<Integer> allowedAfter(int nPrompted, int... body) {
        TokenGrammar.Cursor cur = grammar.start(nPrompted);
        for (int t : body) {
            cur.accept(t);
        }
        boolean[] mask = new boolean[c.vocabSize];
        cur.allowed(mask);
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < mask.length; i++) {
            if (mask[i]) {
                out.add(i);
            }
        }
        return out;
    }

    @Test
    void firstTokenIsEosOrAStartBinBeforeTheLast() {
        List<Integer> a = allowedAfter(0);
        assertTrue(a.contains(c.tokenEos));
        assertTrue(a.contains(bin(0)) && a.contains(bin(79)));
        assertFalse(a.contains(bin(80)), "a start in the last bin could get no end");
        assertFalse(a.contains(c.tokenPad) || a.contains(c.tokenSod) || a.contains(spk(0)));
        assertEquals(1 + 80, a.size());
    }

    @Test
    void endComesAfterStart() {
        List<Integer> a = allowedAfter(0, bin(10));
        assertEquals(bin(11), a.get(0));
        assertEquals(bin(80), a.get(a.size() - 1));
        assertEquals(70, a.size());
    }

    @Test
    void labelsArePromptedOnesPlusTheNextNewOne() {
        assertEquals(List.of(spk(0)), allowedAfter(0, bin(1), bin(5)));
        assertEquals(List.of(spk(0), spk(1), spk(2)), allowedAfter(2, bin(1), bin(5)));
        // label 1 used with one prompt: 0, 1, 2 allowed
        assertEquals(List.of(spk(0), spk(1), spk(2)), allowedAfter(1, bin(1), bin(5), spk(1), bin(3), bin(6)));
        // never beyond max_speakers - 1
        List<Integer> many = allowedAfter(3, bin(1), bin(2), spk(3), bin(2), bin(3), spk(4), bin(3), bin(4), spk(5),
                bin(4), bin(5));
        assertEquals(spk(5), many.get(many.size() - 1));
        assertEquals(6, many.size());
    }

    @Test
    void startsAreMonotoneAndEosOnlyBetweenTriples() {
        List<Integer> a = allowedAfter(0, bin(20), bin(30), spk(0));
        assertTrue(a.contains(c.tokenEos));
        assertFalse(a.contains(bin(19)));
        assertTrue(a.contains(bin(20)));
        assertFalse(allowedAfter(0, bin(20)).contains(c.tokenEos));
        assertFalse(allowedAfter(0, bin(20), bin(30)).contains(c.tokenEos));
    }

    @Test
    void afterMaxSegmentsOnlyEosAndAfterEosOnlyPad() {
        int[] body = new int[3 * c.maxSegments];
        for (int i = 0; i < c.maxSegments; i++) {
            body[3 * i] = bin(i);
            body[3 * i + 1] = bin(i + 1);
            body[3 * i + 2] = spk(0);
        }
        assertEquals(List.of(c.tokenEos), allowedAfter(0, body));
        assertEquals(List.of(c.tokenPad), allowedAfter(0, c.tokenEos));
        assertEquals(List.of(c.tokenPad), allowedAfter(0, bin(1), bin(2), spk(0), c.tokenEos));
    }

    @Test
    void tokensToSegments() {
        int[] tokens = {c.tokenSod, bin(0), bin(10), spk(0), bin(5), bin(25), spk(1), c.tokenEos, c.tokenPad};
        double[] probs = {1, 0.5, 0.5, 0.5, 1, 0.125, 1, 1, 1};
        List<ChunkSegment> s = grammar.segments(tokens, probs);
        assertEquals(2, s.size());
        assertEquals(new ChunkSegment(0.0, 1.0, 0, 0.5), s.get(0));
        assertEquals(0.5, s.get(1).start());
        assertEquals(2.5, s.get(1).end());
        assertEquals(1, s.get(1).label());
        assertEquals(0.5, s.get(1).confidence(), 1e-12);
        // 0.30000000000000004 is written 0.3, as Python's round(x, 3)
        assertEquals(0.3, grammar.segments(new int[]{c.tokenSod, bin(3), bin(7), spk(0)}, null).get(0).start());
    }

    @Test
    void malformedTriplesAreSkipped() {
        // label where a time belongs; an empty segment; reading stops at EOS
        int[] tokens = {c.tokenSod, bin(1), spk(0), spk(0), bin(4), bin(4), spk(0), bin(2), bin(3), spk(1), c.tokenEos,
            bin(1), bin(2), spk(0)};
        List<ChunkSegment> s = grammar.segments(tokens, null);
        assertEquals(1, s.size());
        assertEquals(new ChunkSegment(0.2, 0.3, 1, 1.0), s.get(0));
    }

    @Test
    void greedyPickAndRestrictedSoftmax() {
        float[] logits = {5f, 1f, 3f, 3f};
        boolean[] allowed = {false, true, true, true};
        assertEquals(2, PromptedDecoder.pick(logits, 0, allowed), "the first of equal maxima, as numpy argmax");
        double p = PromptedDecoder.probability(logits, 0, allowed, 2);
        assertEquals(Math.exp(3) / (Math.exp(1) + 2 * Math.exp(3)), p, 1e-12);
    }
}
