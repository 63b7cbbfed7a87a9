package io.reflow.jobs.replay;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.reflow.contracts.Json;
import io.reflow.contracts.PerEventCompression;
import io.reflow.contracts.RecordingBlock;
import io.reflow.contracts.RecordingMessage;
import io.reflow.jobs.common.ConsumedRecord;
import io.reflow.jobs.common.DeadLetter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The streaming decoder against a plain reference built from trees (Jackson's tree of the message,
 * {@link PerEventCompression}, {@link RecordingBlock#line}, {@link BlockMetrics#withEvent(JsonNode, long, int)}): for
 * well-formed and hostile events alike, the same events are kept with the same decoded content and metrics, and the
 * same ones are refused for the same reasons.
 */
class RecordingDecoderTest {
    static final long NOW = DecodeRecordingsTest.NOW;
    static final long LIMIT = 1 << 20;
    static final long TS = NOW - 1000;

    static Stream<String> events() throws IOException {
        String gzArray = gz("[{\"id\":1,\"value\":\"text\\nwith a line break\"}]");
        String gzSnapshot = gz("{\"node\":{\"type\":0,\"childNodes\":[]},\"initialOffset\":{\"top\":0,\"left\":0}}");
        return Stream.of(
                "{\"type\":3,\"timestamp\":" + TS + ",\"data\":{\"source\":1,\"positions\":[{\"x\":1,\"y\":2}]}}",
                "{\"type\":3,\"timestamp\":" + TS + ",\"data\":{\"source\":2,\"type\":2,\"id\":5}}",
                "{\"data\":{\"type\":4,\"source\":2},\"timestamp\":" + TS + ",\"type\":3}",
                "{\"type\":3,\"timestamp\":" + TS + ",\"data\":{\"source\":5,\"text\":\"é ünïcode ☃ \\u2028\"}}",
                "{ \"type\" : 3 ,\n \"timestamp\" :\r\n " + TS + " , \"data\" : { \"source\" : 12 } }",
                "{\"type\":3.0,\"timestamp\":" + TS + ",\"data\":{\"source\":\"2\",\"type\":2.7}}",
                "{\"type\":4,\"timestamp\":" + TS + ",\"data\":{\"href\":\"http://a/b\",\"width\":1,\"height\":2}}",
                "{\"type\":4,\"timestamp\":" + TS + ",\"data\":{\"href\":\"\"}}",
                "{\"type\":6,\"timestamp\":" + TS + ",\"data\":{\"plugin\":\"rrweb/console@1\",\"payload\":{\"level\":\"warn\",\"payload\":[\"\\\"careful\\\"\",\"2\"]}}}",
                "{\"type\":6,\"timestamp\":" + TS + ",\"data\":{\"plugin\":\"rrweb/console@1\",\"payload\":{\"level\":\"error\",\"payload\":[]}}}",
                "{\"type\":6,\"timestamp\":" + TS + ",\"data\":{\"plugin\":\"posthog/network@1\",\"payload\":{}}}",
                // per-event compression, where the cv member sits, and fields left plain
                "{\"type\":2,\"timestamp\":" + TS + ",\"cv\":\"2024-10\",\"data\":" + gzSnapshot + "}",
                "{\"cv\":\"2024-10\",\"type\":2,\"timestamp\":" + TS + ",\"data\":" + gzSnapshot + "}",
                "{\"type\":2,\"data\":" + gzSnapshot + ",\"timestamp\":" + TS + " , \"cv\" : \"2024-10\" }",
                "{\"type\":2,\"timestamp\":" + TS + ",\"cv\":\"2024-10\",\"data\":{\"node\":{}}}",
                "{\"type\":3,\"timestamp\":" + TS + ",\"cv\":\"2024-10\",\"data\":{\"source\":0,\"texts\":" + gzArray
                        + ",\"attributes\":" + gz("[]") + ",\"removes\":[],\"adds\":" + gzArray + "}}",
                "{\"type\":3,\"timestamp\":" + TS + ",\"cv\":\"2024-10\",\"data\":{\"adds\":" + gzArray + ",\"source\":0}}",
                "{\"type\":3,\"timestamp\":" + TS + ",\"cv\":\"2024-10\",\"data\":{\"source\":8,\"id\":3,\"adds\":" + gzArray + "}}",
                "{\"type\":3,\"timestamp\":" + TS + ",\"cv\":\"2024-10\",\"data\":{\"source\":1,\"adds\":\"not gzip, not touched\"}}",
                "{\"type\":4,\"timestamp\":" + TS + ",\"cv\":\"2024-10\",\"data\":{\"href\":\"http://c/\"}}",
                "{\"cv\":\"2024-10\",\"cv\":\"2024-10\",\"type\":3,\"timestamp\":" + TS + ",\"data\":{\"source\":1}}",
                "{\"type\":3,\"timestamp\":" + TS + ",\"data\":{\"source\":1},\"cv\":\"2024-10\",\"cv\":\"2024-10\"}",
                // what the byte scanner leaves to Jackson, or reads itself
                "{\"typ\\u0065\":3,\"timestamp\":" + TS + ",\"data\":{\"source\":1}}",
                "{\"type\":3,\"timestamp\":" + TS + ",\"data\":{\"sou\\u0072ce\":2,\"type\":2}}",
                "{\"type\":3,\"timestamp\":" + TS + ",\"data\":{\"source\":1,\"deep\":" + "[".repeat(300) + "]".repeat(300) + "}}",
                "{\"type\":3,\"timestamp\":" + TS + ",\"data\":{\"source\":2,\"type\":2,\"x\":-0,\"y\":1e3,\"z\":-1.5E-2,\"n\":null,\"t\":true,\"f\":false}}",
                "{\"type\":3,\"timestamp\":" + TS + ",\"data\":{\"source\":2,\"type\":2},\"data\":null}",
                "{\"type\":3,\"timestamp\":" + TS + ",\"data\":{\"source\":2.0,\"type\":2}}",
                "{\"type\":3,\"timestamp\":" + TS + ",\"data\":{\"source\":1,\"s\":\"\\ud83d\\ude00 😀 \\\" \\\\ \\/ \\b\\f\\n\\r\\t\"}}",
                "{\"type\":3,\"timestamp\":" + TS + ",\"data\":{\"source\":1},\"delay\":5,\"extra\":{\"a\":[1,{\"b\":\"c\"}]}}",
                "{\"type\":5,\"timestamp\":" + TS + ",\"data\":{\"tag\":\"$pageview\",\"payload\":{\"href\":\"http://x/\"}}}",
                "{}",
                // refused
                "{\"timestamp\":" + TS + ",\"data\":{}}",
                "{\"type\":\"3\",\"timestamp\":" + TS + "}",
                "{\"type\":99999999999,\"timestamp\":" + TS + "}",
                "{\"type\":3}",
                "{\"type\":3,\"timestamp\":\"" + TS + "\"}",
                "{\"type\":3,\"timestamp\":1.5}",
                "{\"type\":3,\"timestamp\":0}",
                "{\"type\":3,\"timestamp\":-4}",
                "{\"type\":3,\"timestamp\":" + (NOW + 8L * 86_400_000) + "}",
                "{\"type\":3,\"timestamp\":123456789012345678901234567890}",
                "{\"type\":2,\"timestamp\":" + TS + ",\"cv\":\"2031-01\",\"data\":" + gzSnapshot + "}",
                "{\"type\":2,\"timestamp\":" + TS + ",\"cv\":7,\"data\":{}}",
                "{\"type\":2,\"timestamp\":" + TS + ",\"cv\":null,\"data\":{}}",
                "{\"type\":2,\"timestamp\":" + TS + ",\"cv\":\"2024-10\",\"data\":\"not gzip\"}",
                "{\"type\":2,\"timestamp\":" + TS + ",\"cv\":\"2024-10\",\"data\":\"\\u001f\\u008b\\u0008\\u0000\"}",
                "{\"type\":2,\"timestamp\":" + TS + ",\"cv\":\"2024-10\",\"data\":" + truncated(gzSnapshot) + "}",
                "{\"type\":2,\"timestamp\":" + TS + ",\"cv\":\"2024-10\",\"data\":\"\\u001f\\u008b☃\"}",
                "{\"type\":2,\"timestamp\":" + TS + ",\"cv\":\"2024-10\",\"data\":" + gz("{\"a\":1} trailing") + "}",
                "{\"type\":2,\"timestamp\":" + TS + ",\"cv\":\"2024-10\",\"data\":" + gz("") + "}",
                "{\"type\":2,\"timestamp\":" + TS + ",\"cv\":\"2024-10\",\"data\":" + gz("{\"a\":\"" + "x".repeat(2_000_000) + "\"}") + "}",
                "{\"type\":3,\"timestamp\":" + TS + ",\"cv\":\"2024-10\",\"data\":{\"source\":0,\"adds\":" + gz("[\"unclosed") + "}}",
                "[1,2]", "\"a string\"", "17", "null", "true");
    }

    @ParameterizedTest
    @MethodSource("events")
    void eachEventIsKeptOrRefusedAsTheTreeReferenceDoes(String event) throws Exception {
        String events = "[" + event + "," + plain(TS + 1) + "]";
        assertSameAsReference(message("\"window-ü\"", events, true));
        assertSameAsReference(message("\"window-1\"", events, false));
    }

    @Test
    void messagesWithoutEventsOrWithBrokenJsonAreDeadLettersAsBefore() throws Exception {
        assertSameAsReference(message("\"w\"", "[]", true));
        assertSameAsReference(message("\"w\"", "null", true));
        assertSameAsReference(message("null", "[" + plain(TS) + "]", true));
        assertSameAsReference("{\"team_id\":\"4\",\"session_id\":\"s-1\",\"window_id\":\"w\",\"events\":[" + plain(TS) + "]}");
        assertSameAsReference("{\"team_id\":4,\"session_id\":\"s-1\",\"events\":[" + plain(TS) + "],\"window_id\":7}");
        assertSameAsReference("{\"events\":[" + plain(TS) + "],\"team_id\":4,\"session_id\":\"s/../x\"}");
        assertSameAsReference("{\"team_id\":0,\"session_id\":\"s-1\",\"events\":[" + plain(TS) + "]}");
        assertSameAsReference("{\"team_id\":4,\"session_id\":\"s-1\",\"retention\":\"2w\",\"events\":[" + plain(TS) + "]}");
        assertThat(decodeReasons("{\"team_id\":4,\"session_id\":\"s-1\",\"window_id\":\"w\",\"events\":[" + plain(TS)))
                .containsExactly("invalid_message");
        assertThat(decodeReasons("{\"team_id\":4,\"session_id\":\"s-1\",\"window_id\":\"w\",\"events\":{}}"))
                .containsExactly("invalid_message");
        assertThat(decodeReasons("[]")).containsExactly("invalid_message");
        assertThat(decodeReasons("{\"team_id\":4,\"session_id\":{},\"events\":[]}")).containsExactly("invalid_message");
    }

    @Test
    void brokenJsonInsideAnEventMakesTheWholeMessageADeadLetterAsBefore() throws Exception {
        for (String broken : List.of("{\"type\":3,\"timestamp\":0012}", "{\"type\":3,\"timestamp\":1,}",
                "{\"type\":3,\"timestamp\":1,\"data\":{\"a\":\"\\x\"}}", "{\"type\":3,\"timestamp\":1,\"data\":[1 2]}",
                "{\"type\":3,\"timestamp\":1,\"data\":tru}", "{\"type\":3,\"timestamp\":1,\"data\":\"tab\there\"}")) {
            assertSameAsReference(message("\"w\"", "[" + plain(TS) + "," + broken + "]", true));
        }
        byte[] invalidUtf8 = message("\"w\"", "[" + plain(TS) + ",{\"type\":3,\"timestamp\":1,\"data\":{\"s\":\"X\"}}]", true)
                .getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < invalidUtf8.length; i++) {
            if (invalidUtf8[i] == 'X') {
                invalidUtf8[i] = (byte) 0xC0;
            }
        }
        assertThat(decodeReasons(invalidUtf8)).containsExactly("invalid_message");
        assertSameAsReference("{\"team_id\":4,\"session_id\":\"s-1\",\"window_id\":\"w\",\"events\":[" + plain(TS) + "],\"more\":1}");
        assertSameAsReference("{\"team_id\":4,\"session_id\":\"s-1\",\"window_id\":\"w\",\"events\":[" + plain(TS) + "]}  \n");
        assertSameAsReference("{\"team_id\":4,\"session_id\":\"s-1\",\"window_id\":\"w\",\"events\":[" + plain(TS) + "]}}");
    }

    @Test
    void theHeaderIsReadAsTheMessageContractReadsIt() throws Exception {
        String events = "\"events\":[" + plain(TS) + "]";
        List<String> headers = List.of(
                "\"team_id\":4,\"session_id\":\"s-1\",\"window_id\":\"w\",\"distinct_id\":\"d-ü\",\"snapshot_source\":\"mobile\","
                        + "\"snapshot_library\":\"posthog-ios\",\"received_at_ms\":" + NOW + ",\"sent_at\":\"x\",\"retention\":\"1y\","
                        + "\"encrypt\":true,\"event_part\":null",
                " \"team_id\" : 4 ,\n\"session_id\":\"s-1\",\t\"window_id\":null,\"distinct_id\":null,\"snapshot_source\":null,"
                        + "\"snapshot_library\":null,\"received_at_ms\":null,\"retention\":null,\"encrypt\":null",
                "\"team_id\":\"4\",\"session_id\":\"s\\u002d1\",\"window_id\":\"w\",\"distinct_id\":\"a\\\"b\",\"encrypt\":false",
                "\"team_id\":4.0,\"session_id\":\"s-1\",\"window_id\":\"w\",\"distinct_id\":123,\"received_at_ms\":-5",
                "\"session_id\":\"s-1\",\"window_id\":\"w\",\"distinct_id\":\"first\",\"x\":{\"y\":[1,{\"z\":null}]},\"distinct_id\":\"second\","
                        + "\"team_id\":4",
                "\"team_id\":4,\"session_id\":\"s-1\",\"window_id\":\"w\",\"distinct_\\u0069d\":\"escaped name\"",
                "\"team_id\":4,\"session_id\":\"s-1\",\"window_id\":\"w\",\"encrypt\":true,\"encrypt\":false");
        for (String header : headers) {
            for (String message : List.of("{" + header + "," + events + "}", "{" + events + "," + header + "}")) {
                RecordingMessage expected = Json.decode(message.getBytes(StandardCharsets.UTF_8), RecordingMessage.class);
                SessionChunk chunk = decode(message);
                assertThat(chunk.teamId()).as(message).isEqualTo(expected.teamId());
                assertThat(chunk.sessionId()).as(message).isEqualTo(expected.sessionId());
                assertThat(chunk.distinctId()).as(message).isEqualTo(expected.distinctId());
                assertThat(chunk.snapshotSource()).as(message).isEqualTo(RecordingDecoder.orDefault(expected.snapshotSource(), "web"));
                assertThat(chunk.snapshotLibrary()).as(message).isEqualTo(RecordingDecoder.orDefault(expected.snapshotLibrary(), "web"));
                assertThat(chunk.receivedAtMs()).as(message).isEqualTo(expected.receivedAtMs());
                assertThat(chunk.retention()).as(message)
                        .isEqualTo(io.reflow.contracts.RetentionClass.parse(expected.retention()).pathSegment());
                assertThat(chunk.encrypt()).as(message).isEqualTo(expected.encrypt());
                String window = expected.windowId() == null ? "" : expected.windowId();
                String line = new String(TimedLines.sortedConcatenation(List.of(ChunkCodec.packedLines(chunk))), StandardCharsets.UTF_8);
                assertThat(Json.mapper().readTree(line).get(0).asText()).as(message).isEqualTo(window);
            }
        }
    }

    @Test
    void aLineIsAlwaysOneLineOfJson() throws Exception {
        SessionChunk chunk = decode(message("\"w\"", "[{\"type\":3,\n\"timestamp\":" + TS + ",\r\n\"data\":{\"source\":1}}]", true));

        String lines = new String(TimedLines.sortedConcatenation(List.of(ChunkCodec.packedLines(chunk))), StandardCharsets.UTF_8);
        assertThat(lines).endsWith("\n").doesNotContain("\r");
        assertThat(lines.split("\n")).hasSize(1);
        assertThat(Json.mapper().readTree(lines).get(1).get("data").get("source").asInt()).isEqualTo(1);
    }

    // --- the reference ---

    private record Result(List<String> reasons, List<JsonNode> lines, String metrics) {}

    private static void assertSameAsReference(String message) throws Exception {
        Result expected = reference(message.getBytes(StandardCharsets.UTF_8));
        List<DeadLetter> dead = new ArrayList<>();
        SessionChunk chunk;
        try (RecordingDecoder decoder = new RecordingDecoder(LIMIT)) {
            chunk = decoder.decode(consumed(message), NOW, dead::add);
        }
        List<JsonNode> lines = new ArrayList<>();
        if (chunk != null) {
            for (TimedLines.Line l : TimedLines.decode(ChunkCodec.packedLines(chunk), new ArrayList<>())) {
                lines.add(Json.mapper().readTree(l.bytes()));
            }
        }
        assertThat(dead).extracting(DeadLetter::reason).as(message).containsExactlyElementsOf(expected.reasons());
        assertThat(lines).as(message).containsExactlyElementsOf(expected.lines());
        assertThat(chunk == null ? null : withoutSize(chunk.metrics())).as(message).isEqualTo(expected.metrics());
    }

    private static Result reference(byte[] value) {
        RecordingMessage m;
        try {
            m = Json.decode(value, RecordingMessage.class);
        } catch (RuntimeException e) {
            return new Result(List.of("invalid_message"), List.of(), null);
        }
        if (m.sessionId() == null || !m.sessionId().matches("[A-Za-z0-9-]{1,70}")) {
            return new Result(List.of("invalid_session_id"), List.of(), null);
        }
        if (m.teamId() <= 0) {
            return new Result(List.of("missing_team"), List.of(), null);
        }
        try {
            io.reflow.contracts.RetentionClass.parse(m.retention());
        } catch (IllegalArgumentException e) {
            return new Result(List.of("invalid_retention"), List.of(), null);
        }
        List<String> reasons = new ArrayList<>();
        List<JsonNode> lines = new ArrayList<>();
        BlockMetrics metrics = BlockMetrics.empty().withMessage();
        String window = m.windowId() == null ? "" : m.windowId();
        for (JsonNode posted : m.events()) {
            String problem = problemWith(posted);
            if (problem != null) {
                reasons.add(problem);
                continue;
            }
            JsonNode event;
            try {
                event = PerEventCompression.decode(posted, LIMIT);
            } catch (PerEventCompression.UndecodableEvent e) {
                reasons.add(e.reason());
                continue;
            }
            byte[] line = RecordingBlock.line(window, event);
            try {
                lines.add(Json.mapper().readTree(line));
            } catch (IOException e) {
                throw new AssertionError(e);
            }
            metrics = metrics.withEvent(event, event.get("timestamp").asLong(), line.length);
        }
        if (metrics.eventCount() == 0) {
            reasons.add("no_valid_events");
            return new Result(reasons, lines, null);
        }
        return new Result(reasons, lines, withoutSize(metrics));
    }

    private static String problemWith(JsonNode event) {
        if (event == null || !event.isObject()) {
            return "event_not_object";
        }
        if (!event.path("type").canConvertToInt()) {
            return "event_without_type";
        }
        JsonNode ts = event.get("timestamp");
        if (ts == null || !ts.isIntegralNumber()) {
            return "event_without_timestamp";
        }
        if (ts.asLong() <= 0) {
            return "timestamp_not_positive";
        }
        return ts.asLong() > NOW + RecordingDecoder.MAX_FUTURE_MS ? "timestamp_too_far_in_future" : null;
    }

    private static String withoutSize(BlockMetrics m) {
        return m.toString().replaceAll("size=\\d+", "size=?");
    }

    // --- helpers ---

    private static List<String> decodeReasons(String message) {
        return decodeReasons(message.getBytes(StandardCharsets.UTF_8));
    }

    private static List<String> decodeReasons(byte[] message) {
        List<DeadLetter> dead = new ArrayList<>();
        try (RecordingDecoder decoder = new RecordingDecoder(LIMIT)) {
            decoder.decode(new ConsumedRecord("recordings", 0, 1, NOW, null, message), NOW, dead::add);
        }
        return dead.stream().map(DeadLetter::reason).toList();
    }

    private static SessionChunk decode(String message) {
        try (RecordingDecoder decoder = new RecordingDecoder(LIMIT)) {
            return decoder.decode(consumed(message), NOW, d -> {
                throw new AssertionError("dead letter " + d);
            });
        }
    }

    private static ConsumedRecord consumed(String message) {
        return new ConsumedRecord("recordings", 0, 1, NOW, null, message.getBytes(StandardCharsets.UTF_8));
    }

    private static String message(String windowId, String events, boolean headerFirst) {
        String header = "\"team_id\":4,\"session_id\":\"s-1\",\"window_id\":" + windowId + ",\"distinct_id\":\"d\","
                + "\"retention\":\"30d\",\"received_at_ms\":" + NOW;
        return headerFirst ? "{" + header + ",\"events\":" + events + "}" : "{\"events\":" + events + "," + header + "}";
    }

    private static String plain(long ts) {
        return "{\"type\":3,\"timestamp\":" + ts + ",\"data\":{\"source\":1,\"positions\":[]}}";
    }

    /** The JSON string posthog-js makes of a gzip member: its bytes as ISO-8859-1 chars. */
    private static String gz(String json) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
            out.write(json.getBytes(StandardCharsets.UTF_8));
        }
        return Json.mapper().writeValueAsString(new String(bytes.toByteArray(), StandardCharsets.ISO_8859_1));
    }

    private static String truncated(String gzString) throws IOException {
        String chars = Json.mapper().readValue(gzString, String.class);
        return Json.mapper().writeValueAsString(chars.substring(0, chars.length() - 12));
    }
}
