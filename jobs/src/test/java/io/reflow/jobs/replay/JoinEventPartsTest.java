package io.reflow.jobs.replay;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.reflow.contracts.Json;
import io.reflow.contracts.RecordingEventPart;
import io.reflow.contracts.RecordingMessage;
import io.reflow.jobs.common.ConsumedRecord;
import io.reflow.jobs.common.DeadLetter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

class JoinEventPartsTest {
    static final long NOW = DecodeRecordingsTest.NOW;
    static final String FIXTURE = "run1_configjs_09_POST_s_.request.json";

    @Test
    void aFullSnapshotCutIntoPartsDecodesExactlyAsTheWholeMessageDoes() throws Exception {
        RecordingMessage whole = largestEventAlone(RecordingMessages.fromFixture(FIXTURE).get(0));
        List<SessionChunk> expected = RecordingMessages.decode(NOW, List.of(whole));

        try (var harness = harness()) {
            for (SessionChunk part : decode(cut(whole, "e-1", 7))) {
                harness.processElement(part, 0L);
            }
            List<SessionChunk> out = harness.extractOutputValues();
            assertThat(out).hasSize(1);
            assertThat(out.get(0).eventPart()).isNull();
            assertThat(RecordingMessages.lines(out.get(0))).isEqualTo(RecordingMessages.lines(expected.get(0)));
            assertThat(out.get(0).metrics()).isEqualTo(expected.get(0).metrics());
            assertThat(deadLetters(harness)).isEmpty();
            assertThat(harness.numKeyedStateEntries()).isZero();
            assertThat(harness.numProcessingTimeTimers()).isZero();
        }
    }

    @Test
    void chunksOfWholeEventsPassThroughAroundAJoinedEventInOrder() throws Exception {
        RecordingMessage small = RecordingMessages.message(1, "s-1", "w", "[{\"type\":3,\"timestamp\":1700000000001,\"data\":{}}]");
        RecordingMessage big = largeEvent(500);
        List<SessionChunk> in = new ArrayList<>(decode(List.of(small)));
        in.addAll(decode(cut(big, "e-2", 4)));
        in.addAll(decode(List.of(small)));

        try (var harness = harness()) {
            for (SessionChunk c : in) {
                harness.processElement(c, 0L);
            }
            List<SessionChunk> out = harness.extractOutputValues();
            assertThat(out).extracting(c -> RecordingMessages.lines(c).get(0).get(1).get("timestamp").asLong())
                    .containsExactly(1700000000001L, 1700000000002L, 1700000000001L);
            assertThat(harness.numKeyedStateEntries()).isZero();
        }
    }

    @Test
    void aNewEventStartingBeforeThePreviousOneEndedDeadLettersThePreviousOne() throws Exception {
        RecordingMessage big = largeEvent(300);
        List<SessionChunk> first = decode(cut(big, "lost", 3));
        List<SessionChunk> second = decode(cut(big, "retried", 3));

        try (var harness = harness()) {
            harness.processElement(first.get(0), 0L);
            harness.processElement(first.get(1), 0L);
            for (SessionChunk c : second) {
                harness.processElement(c, 0L);
            }
            assertThat(harness.extractOutputValues()).hasSize(1);
            assertThat(deadLetters(harness)).extracting(DeadLetter::reason).containsExactly("incomplete_event_parts");
            assertThat(deadLetters(harness).get(0).detail()).contains("received 2 of 3 parts of event lost");
            assertThat(harness.numKeyedStateEntries()).isZero();
            assertThat(harness.numProcessingTimeTimers()).isZero();
        }
    }

    @Test
    void aPartWithoutThePartsBeforeItIsADeadLetter() throws Exception {
        RecordingMessage big = largeEvent(300);
        List<SessionChunk> parts = decode(cut(big, "e-3", 3));

        try (var harness = harness()) {
            harness.processElement(parts.get(1), 0L);
            harness.processElement(parts.get(2), 0L);
            assertThat(harness.extractOutputValues()).isEmpty();
            assertThat(deadLetters(harness)).extracting(DeadLetter::reason).containsExactly("orphan_event_part", "orphan_event_part");
            assertThat(harness.numKeyedStateEntries()).isZero();
        }
    }

    @Test
    void partsThatStopComingExpireIntoADeadLetterAndClearTheirState() throws Exception {
        RecordingMessage big = largeEvent(300);
        List<SessionChunk> parts = decode(cut(big, "e-4", 3));

        try (var harness = harness()) {
            harness.processElement(parts.get(0), 0L);
            assertThat(harness.numKeyedStateEntries()).isEqualTo(2);
            assertThat(harness.numProcessingTimeTimers()).isEqualTo(1);
            harness.setProcessingTime(NOW + Duration.ofMinutes(1).toMillis());
            assertThat(deadLetters(harness)).extracting(DeadLetter::reason).containsExactly("incomplete_event_parts");
            assertThat(deadLetters(harness).get(0).sourceOffset()).isEqualTo(0);
            assertThat(harness.numKeyedStateEntries()).isZero();
            assertThat(harness.numProcessingTimeTimers()).isZero();
        }
    }

    @Test
    void joinedPartsThatAreNotJsonAreADeadLetter() throws Exception {
        RecordingMessage base = RecordingMessages.message(1, "s-1", "w", "[]");
        byte[] notJson = "{\"type\":3,\"timest".getBytes();
        List<RecordingMessage> cut = List.of(base.withEventPart(RecordingEventPart.of("bad", 0, 2, notJson, 0, 5)),
                base.withEventPart(RecordingEventPart.of("bad", 1, 2, notJson, 5, notJson.length)));

        try (var harness = harness()) {
            for (SessionChunk c : decode(cut)) {
                harness.processElement(c, 0L);
            }
            assertThat(harness.extractOutputValues()).isEmpty();
            assertThat(deadLetters(harness)).extracting(DeadLetter::reason).containsExactly("invalid_event_parts");
            assertThat(harness.numKeyedStateEntries()).isZero();
        }
    }

    /** A message of one event with a text of {@code chars} characters. */
    private static RecordingMessage largeEvent(int chars) {
        return RecordingMessages.message(1, "s-1", "w",
                "[{\"type\":3,\"timestamp\":1700000000002,\"data\":{\"text\":\"" + "x".repeat(chars) + "\"}}]");
    }

    /** The message's largest event on its own, as capture would have to cut it. */
    private static RecordingMessage largestEventAlone(RecordingMessage m) {
        JsonNode largest = m.events().stream().max(Comparator.comparingInt(e -> e.toString().length())).orElseThrow();
        return new RecordingMessage(m.teamId(), m.sessionId(), m.windowId(), m.distinctId(), m.snapshotSource(),
                m.snapshotLibrary(), m.receivedAtMs(), m.sentAt(), m.retention(), List.of(largest));
    }

    /** The one event of {@code whole} cut into {@code count} part messages, as capture does. */
    static List<RecordingMessage> cut(RecordingMessage whole, String id, int count) {
        byte[] bytes = Json.encode(whole.events().get(0));
        int per = (bytes.length + count - 1) / count;
        List<RecordingMessage> parts = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            parts.add(whole.withEventPart(RecordingEventPart.of(id, i, count, bytes, i * per, Math.min(bytes.length, (i + 1) * per))));
        }
        return parts;
    }

    private static List<SessionChunk> decode(List<RecordingMessage> messages) throws Exception {
        try (OneInputStreamOperatorTestHarness<ConsumedRecord, SessionChunk> decode =
                     new OneInputStreamOperatorTestHarness<>(new ProcessOperator<>(new DecodeRecordings()))) {
            decode.open();
            decode.setProcessingTime(NOW);
            long offset = 0;
            for (RecordingMessage m : messages) {
                decode.processElement(RecordingMessages.consumed(m, offset++), 0L);
            }
            assertThat(decode.getSideOutput(DecodeRecordings.DEAD_LETTERS)).isNullOrEmpty();
            return decode.extractOutputValues();
        }
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, SessionChunk, SessionChunk> harness() throws Exception {
        var harness = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new JoinEventParts(DecodeRecordings.DEFAULT_MAX_DECOMPRESSED_EVENT_BYTES,
                        Duration.ofSeconds(30))), SessionChunk::sessionKey, Types.STRING);
        harness.open();
        harness.setProcessingTime(NOW);
        return harness;
    }

    private static List<DeadLetter> deadLetters(KeyedOneInputStreamOperatorTestHarness<String, SessionChunk, SessionChunk> harness) {
        var out = harness.getSideOutput(JoinEventParts.DEAD_LETTERS);
        return out == null ? List.of() : out.stream().map(r -> r.getValue()).toList();
    }
}
