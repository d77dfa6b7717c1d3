package io.streamdrz.speakers;

import org.junit.jupiter.api.Test;

import java.util.Collections;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CallHintsTest {

    @Test
    void soundHintsHaveNoProblem() {
        assertNull(CallHints.NONE.problem());
        assertTrue(CallHints.NONE.isEmpty());
        assertNull(new CallHints(2, List.of("agent-1")).problem());
        assertNull(new CallHints(null, List.of("a", "b", "c")).problem());
    }

    @Test
    void malformedHintsSayWhy() {
        assertEquals("expectedSpeakers is 0; a call has 1..64 speakers", new CallHints(0, null).problem());
        assertEquals("expectedSpeakers is 65; a call has 1..64 speakers", new CallHints(65, null).problem());
        assertEquals("expectedSpeakerIds holds an empty id", new CallHints(null, List.of(" ")).problem());
        assertEquals("expectedSpeakerIds names 'a' twice", new CallHints(null, List.of("a", "a")).problem());
        assertEquals("expectedSpeakerIds names 2 speakers but expectedSpeakers is 1",
                new CallHints(1, List.of("a", "b")).problem());
        assertTrue(new CallHints(null, Collections.nCopies(17, "x")).problem().contains("at most 16"));
    }
}
