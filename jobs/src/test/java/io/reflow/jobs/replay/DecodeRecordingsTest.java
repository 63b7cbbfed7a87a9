package io.reflow.jobs.replay;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.reflow.contracts.Json;
import io.reflow.contracts.RecordingMessage;
import io.reflow.jobs.common.ConsumedRecord;
import io.reflow.jobs.common.DeadLetter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.zip.GZIPOutputStream;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

class DecodeRecordingsTest {
    static final long NOW = 1_795_400_000_000L;

    /** The recorded /s/ requests of the current SDK (run1: gzip bodies; run2: plain JSON), all per-event compressed. */
    static final List<String> COMPRESSED_FIXTURES = List.of(
            "run1_configjs_09_POST_s_.request.json", "run1_configjs_11_POST_s_.request.json",
            "run2_jsonconfig_nocompress_10_POST_s_.request.json", "run2_jsonconfig_nocompress_12_POST_s_.request.json");

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

    @ParameterizedTest
    @FieldSource("COMPRESSED_FIXTURES")
    void perEventCompressionIsUndoneExactlyAsTheDecompressedFixtureShows(String fixture) throws Exception {
        List<RecordingMessage> messages = RecordingMessages.fromFixture(fixture);
        List<List<JsonNode>> expected = RecordingMessages.decompressedFixture(fixture);
        assertThat(messages.stream().flatMap(m -> m.events().stream()).filter(e -> e.has("cv")))
                .as("the posted fixture uses per-event compression").isNotEmpty();

        Outputs out = run(messages.stream().map(m -> RecordingMessages.consumed(m, 0)).toArray(ConsumedRecord[]::new));

        assertThat(out.deadLetters()).isEmpty();
        assertThat(out.chunks()).hasSameSizeAs(expected);
        for (int i = 0; i < expected.size(); i++) {
            List<JsonNode> lines = RecordingMessages.lines(out.chunks().get(i));
            assertThat(lines).extracting(l -> l.get(0).asText()).containsOnly(messages.get(i).windowId());
            assertThat(lines).extracting(l -> l.get(1)).as("item " + i).containsExactlyElementsOf(expected.get(i));
            assertThat(lines).extracting(l -> l.get(1)).allSatisfy(e -> assertThat(e.has("cv")).isFalse());
            long lineBytes = lines.stream().mapToLong(l -> Json.encode(l).length + 1).sum();
            assertThat(out.chunks().get(i).metrics().size()).as("size counts the decoded lines").isEqualTo(lineBytes);
        }
    }

    @Test
    void anUndecodableCompressedEventIsDeadLetteredWithItsReasonAndTheRestKept() throws Exception {
        RecordingMessage message = RecordingMessages.message(3, "s-cv", "w-1", """
                [{"type":4,"timestamp":1795300000000,"data":{"href":"http://a/"}},
                 {"type":2,"timestamp":1795300000001,"cv":"2024-10","data":"not gzip"},
                 {"type":3,"timestamp":1795300000002,"cv":"2031-01","data":{"source":0,"adds":"x"}},
                 {"type":3,"timestamp":1795300000003,"cv":"2024-10","data":{"source":1,"positions":[]}}]
                """);

        Outputs out = run(RecordingMessages.consumed(message, 0));

        assertThat(out.deadLetters()).extracting(DeadLetter::reason)
                .containsExactly("compressed_field_undecodable", "unsupported_compression_version");
        assertThat(out.deadLetters().get(0)).satisfies(d -> {
            assertThat(d.detail()).contains("data: not gzip");
            assertThat(d.payload()).contains("\"cv\":\"2024-10\"");
            assertThat(d.teamId()).isEqualTo(3);
            assertThat(d.sessionId()).isEqualTo("s-cv");
        });
        assertThat(out.chunks()).singleElement().satisfies(c -> {
            assertThat(c.metrics().eventCount()).isEqualTo(2);
            assertThat(RecordingMessages.lines(c)).extracting(l -> l.get(1).toString()).containsExactly(
                    "{\"type\":4,\"timestamp\":1795300000000,\"data\":{\"href\":\"http://a/\"}}",
                    "{\"type\":3,\"timestamp\":1795300000003,\"data\":{\"source\":1,\"positions\":[]}}");
        });
    }

    @Test
    void anEventDecompressingBeyondTheLimitIsDeadLettered() throws Exception {
        String adds = gzipString("[\"" + "x".repeat(50_000) + "\"]");
        RecordingMessage message = RecordingMessages.message(3, "s-big", "w-1",
                "[{\"type\":3,\"timestamp\":1795300000002,\"cv\":\"2024-10\",\"data\":{\"source\":0,\"adds\":"
                        + Json.mapper().getNodeFactory().textNode(adds) + "}},{\"type\":2,\"timestamp\":1795300000001,\"data\":{}}]");

        Outputs small = run(new DecodeRecordings(10_000), RecordingMessages.consumed(message, 0));
        Outputs enough = run(new DecodeRecordings(60_000), RecordingMessages.consumed(message, 0));

        assertThat(small.deadLetters()).extracting(DeadLetter::reason).containsExactly("compressed_event_too_large");
        assertThat(small.chunks()).singleElement().satisfies(c -> assertThat(c.metrics().eventCount()).isEqualTo(1));
        assertThat(enough.deadLetters()).isEmpty();
        assertThat(enough.chunks()).singleElement().satisfies(c -> assertThat(c.metrics().eventCount()).isEqualTo(2));
    }

    @Test
    void consoleLinesArePickedOutOncePerLevelAndMessageAtTheirFirstTimestamp() throws Exception {
        RecordingMessage message = RecordingMessages.message(3, "s-log", "w-7", """
                [{"type":6,"timestamp":1795300000005,"data":{"plugin":"rrweb/console@1","payload":{"level":"log","payload":["\\"hello\\"","42"],"trace":[]}}},
                 {"type":6,"timestamp":1795300000002,"data":{"plugin":"rrweb/console@1","payload":{"level":"log","payload":["\\"hello\\"","42"]}}},
                 {"type":6,"timestamp":1795300000003,"data":{"plugin":"rrweb/console@1","payload":{"level":"error","payload":["\\"hello\\"","42"]}}},
                 {"type":6,"timestamp":1795300000004,"data":{"plugin":"rrweb/console@1","payload":{"level":"log","payload":[]}}},
                 {"type":6,"timestamp":1795300000006,"data":{"plugin":"rrweb/network@1","payload":{"requests":[]}}},
                 {"type":2,"timestamp":1795300000001,"data":{}}]
                """);

        SessionChunk chunk = run(RecordingMessages.consumed(message, 0)).chunks().get(0);

        assertThat(ConsoleLogs.decode(chunk.consoleLogs(), new ArrayList<>())).containsExactly(
                new ConsoleLogs.Line(1795300000002L, "w-7", "info", "hello 42"),
                new ConsoleLogs.Line(1795300000003L, "w-7", "error", "hello 42"));
        assertThat(chunk.metrics().consoleLogCount()).as("the summary row still counts every call").isEqualTo(3);
        assertThat(chunk.metrics().consoleErrorCount()).isEqualTo(1);
        SessionChunk quiet = run(RecordingMessages.consumed(
                RecordingMessages.message(3, "s-q", "w", "[{\"type\":2,\"timestamp\":1,\"data\":{}}]"), 1)).chunks().get(0);
        assertThat(quiet.consoleLogs()).isEmpty();
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
        return run(new DecodeRecordings(), records);
    }

    private static Outputs run(DecodeRecordings decode, ConsumedRecord... records) throws Exception {
        try (OneInputStreamOperatorTestHarness<ConsumedRecord, SessionChunk> harness =
                     new OneInputStreamOperatorTestHarness<>(new ProcessOperator<>(decode))) {
            harness.open();
            harness.setProcessingTime(NOW);
            for (ConsumedRecord r : records) {
                harness.processElement(r, 0L);
            }
            var side = harness.getSideOutput(DecodeRecordings.DEAD_LETTERS);
            List<DeadLetter> dead = side == null ? List.of() : side.stream().map(StreamRecord::getValue).collect(Collectors.toList());
            return new Outputs(harness.extractOutputValues(), dead);
        }
    }

    /** As posthog-js does it: gzip of the UTF-8 JSON, each byte one char. */
    static String gzipString(String json) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
            out.write(json.getBytes(StandardCharsets.UTF_8));
        }
        return new String(bytes.toByteArray(), StandardCharsets.ISO_8859_1);
    }
}
