package io.reflow.contracts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class WireRoundTripTest {

    @Test
    void recordingMessageRoundTripsWithSnakeCaseNames() throws Exception {
        JsonNode event = Json.mapper().readTree("{\"type\":2,\"timestamp\":1700000000000,\"data\":{\"x\":1}}");
        RecordingMessage message = new RecordingMessage(7, "s-1", "w-1", "d-1", "web", "web", 5L, "2024-01-01T00:00:00Z", "30d", List.of(event));

        byte[] bytes = Json.encode(message);

        assertThat(new String(bytes, StandardCharsets.UTF_8)).contains("\"team_id\":7", "\"session_id\":\"s-1\"");
        assertThat(Json.decode(bytes, RecordingMessage.class)).isEqualTo(message);
    }

    @Test
    void aMessageOfWholeEventsHasNoEventPartAndEventsStayLast() {
        RecordingMessage message = new RecordingMessage(7, "s-1", "w-1", "d-1", "web", "web", 5L, null, "30d", List.of());

        String json = new String(Json.encode(message), StandardCharsets.UTF_8);

        assertThat(json).doesNotContain("event_part").endsWith("\"events\":[]}");
    }

    @Test
    void anEventPartRoundTripsAndItsBytesSurviveACutInsideAUtf8Sequence() {
        byte[] event = "{\"type\":3,\"data\":\"d\u00e9j\u00e0\"}".getBytes(StandardCharsets.UTF_8);
        int cut = new String(event, StandardCharsets.UTF_8).indexOf('\u00e9') + 1; // inside the two bytes of é
        RecordingMessage base = new RecordingMessage(7, "s-1", "w-1", "d-1", "web", "web", 5L, null, "30d", List.of());
        RecordingMessage first = base.withEventPart(RecordingEventPart.of("p-1", 0, 2, event, 0, cut));
        RecordingMessage second = base.withEventPart(RecordingEventPart.of("p-1", 1, 2, event, cut, event.length));

        RecordingMessage a = Json.decode(Json.encode(first), RecordingMessage.class);
        RecordingMessage b = Json.decode(Json.encode(second), RecordingMessage.class);

        assertThat(a).isEqualTo(first);
        assertThat(new String(Json.encode(first), StandardCharsets.UTF_8)).endsWith("\"events\":[]}");
        byte[] joined = new byte[event.length];
        System.arraycopy(a.eventPart().bytes(), 0, joined, 0, cut);
        System.arraycopy(b.eventPart().bytes(), 0, joined, cut, event.length - cut);
        assertThat(joined).isEqualTo(event);
    }

    @Test
    void anEventPartOutsideItsCountIsRefused() {
        assertThatThrownBy(() -> new RecordingEventPart("p", 2, 2, "")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RecordingEventPart("p", 0, 1, "")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void summaryRowUsesTheClickHouseColumnNames() {
        SessionBlockSummary row = new SessionBlockSummary(1, "s", "d", 1, 2, "s3://b/k?range=bytes=0-9", "http://x/", List.of("http://x/"),
                1, 2, 3, 4, 5, 6, 7, 8, 9, 10, "web", "web", 30);

        String json = new String(Json.encode(row), StandardCharsets.UTF_8);

        assertThat(json).contains("\"block_url\":\"s3://b/k?range=bytes=0-9\"", "\"event_count\":9", "\"retention_period_days\":30");
        assertThat(Json.decode(json.getBytes(StandardCharsets.UTF_8), SessionBlockSummary.class)).isEqualTo(row);
    }

    @Test
    void logEntryUsesTheClickHouseColumnNamesAndANullInstanceStaysNull() {
        LogEntry entry = new LogEntry(3, "s", LogEntry.SESSION_REPLAY, "s", null, 1700000000123L, "warn", "careful", 90);

        String json = new String(Json.encode(entry), StandardCharsets.UTF_8);

        assertThat(json).contains("\"log_source\":\"session_replay\"", "\"log_source_id\":\"s\"", "\"instance_id\":null",
                "\"timestamp\":1700000000123", "\"retention_period_days\":90");
        assertThat(Json.decode(json.getBytes(StandardCharsets.UTF_8), LogEntry.class)).isEqualTo(entry);
    }

    @Test
    void retentionClassParsesPathSegments() {
        assertThat(RetentionClass.parse("1y").days()).isEqualTo(365);
        assertThat(RetentionClass.parse(null)).isEqualTo(RetentionClass.D30);
        assertThatThrownBy(() -> RetentionClass.parse("2w")).hasMessageContaining("unknown retention class");
    }
}
