package io.reflow.jobs.replay;

import static org.assertj.core.api.Assertions.assertThat;

import io.reflow.contracts.Json;
import io.reflow.contracts.RecordingMessage;
import io.reflow.jobs.common.ConsumedRecord;
import io.reflow.jobs.common.DeadLetter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

class DecodeRecordingsTest {
    static final long NOW = 1_795_400_000_000L;

    @Test
    void fixtureRecordingsDecodeIntoChunksWithTheirMetrics() throws Exception {
        List<RecordingMessage> messages = RecordingMessages.fromFixture("run1_configjs_09_POST_s_.request.json");

        List<SessionChunk> chunks = RecordingMessages.decode(NOW, messages);

        assertThat(chunks).hasSize(messages.size());
        SessionChunk first = chunks.get(0);
        assertThat(first.teamId()).isEqualTo(1);
        assertThat(first.sessionId()).isEqualTo(messages.get(0).sessionId());
        assertThat(first.metrics().eventCount()).isEqualTo(messages.get(0).events().size());
        assertThat(first.metrics().messageCount()).isEqualTo(1);
        assertThat(first.metrics().firstUrl()).startsWith("http://127.0.0.1");
        assertThat(first.metrics().firstTimestamp()).isPositive().isLessThanOrEqualTo(first.metrics().lastTimestamp());
    }

    @Test
    void invalidEventsAreDeadLetteredAndTheRestKept() throws Exception {
        RecordingMessage message = RecordingMessages.message(3, "s-1", "w-1", """
                [{"type":4,"timestamp":1795300000000,"data":{"href":"http://a/"}},
                 {"type":3,"timestamp":-5,"data":{"source":1}},
                 {"type":3,"timestamp":%d,"data":{"source":1}},
                 {"type":3,"data":{"source":1}},
                 "not an event",
                 {"type":2,"timestamp":1795300000001,"data":{}}]
                """.formatted(NOW + DecodeRecordings.MAX_FUTURE_MS + 1));

        Outputs out = run(RecordingMessages.consumed(message, 0));

        assertThat(out.chunks()).singleElement().satisfies(c -> assertThat(c.metrics().eventCount()).isEqualTo(2));
        assertThat(out.deadLetters()).extracting(DeadLetter::reason).containsExactly(
                "timestamp_not_positive", "timestamp_too_far_in_future", "event_without_timestamp", "event_not_object");
        assertThat(out.deadLetters()).allSatisfy(d -> {
            assertThat(d.teamId()).isEqualTo(3);
            assertThat(d.sessionId()).isEqualTo("s-1");
        });
    }

    @Test
    void unusableMessagesAreDeadLetteredWithTheirReason() throws Exception {
        ConsumedRecord garbage = new ConsumedRecord("t", 2, 7, 0, null, "{not json".getBytes(StandardCharsets.UTF_8));
        ConsumedRecord badSession = RecordingMessages.consumed(
                RecordingMessages.message(1, "../../etc/passwd", "w", "[{\"type\":2,\"timestamp\":1,\"data\":{}}]"), 8);
        ConsumedRecord noTeam = RecordingMessages.consumed(
                RecordingMessages.message(0, "s", "w", "[{\"type\":2,\"timestamp\":1,\"data\":{}}]"), 9);
        ConsumedRecord noEvents = RecordingMessages.consumed(RecordingMessages.message(1, "s", "w", "[]"), 10);

        Outputs out = run(garbage, badSession, noTeam, noEvents);

        assertThat(out.chunks()).isEmpty();
        assertThat(out.deadLetters()).extracting(DeadLetter::reason)
                .containsExactly("invalid_message", "invalid_session_id", "missing_team", "no_valid_events");
        assertThat(out.deadLetters().get(0)).satisfies(d -> {
            assertThat(d.sourcePartition()).isEqualTo(2);
            assertThat(d.sourceOffset()).isEqualTo(7);
            assertThat(d.payload()).isEqualTo("{not json");
        });
        assertThat(new String(out.deadLetters().get(1).toKafka().value(), StandardCharsets.UTF_8)).contains("\"reason\":\"invalid_session_id\"");
        assertThat(Json.decode(out.deadLetters().get(2).toKafka().value(), DeadLetter.class)).isEqualTo(out.deadLetters().get(2));
    }

    record Outputs(List<SessionChunk> chunks, List<DeadLetter> deadLetters) {}

    private static Outputs run(ConsumedRecord... records) throws Exception {
        try (OneInputStreamOperatorTestHarness<ConsumedRecord, SessionChunk> harness =
                     new OneInputStreamOperatorTestHarness<>(new ProcessOperator<>(new DecodeRecordings()))) {
            harness.open();
            harness.setProcessingTime(NOW);
            for (ConsumedRecord r : records) {
                harness.processElement(r, 0L);
            }
            List<DeadLetter> dead = harness.getSideOutput(DecodeRecordings.DEAD_LETTERS).stream()
                    .map(StreamRecord::getValue).collect(Collectors.toList());
            return new Outputs(harness.extractOutputValues(), dead);
        }
    }
}
