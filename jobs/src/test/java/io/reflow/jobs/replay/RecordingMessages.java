package io.reflow.jobs.replay;

import com.fasterxml.jackson.databind.JsonNode;
import io.reflow.contracts.Json;
import io.reflow.contracts.RecordingMessage;
import io.reflow.jobs.common.ConsumedRecord;
import io.reflow.testsupport.Fixtures;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;

/** Recording messages and decoded chunks for tests, built from the real posthog-js fixtures. */
final class RecordingMessages {
    private RecordingMessages() {}

    /** The $snapshot items of a recorded /s/ request, as capture writes them (team 1). */
    static List<RecordingMessage> fromFixture(String requestJson) {
        try {
            JsonNode body = Json.mapper().readTree(Fixtures.posthogJs(requestJson).toFile()).get("body");
            List<RecordingMessage> messages = new ArrayList<>();
            for (JsonNode item : body) {
                JsonNode p = item.get("properties");
                List<JsonNode> events = new ArrayList<>();
                p.get("$snapshot_data").forEach(events::add);
                messages.add(new RecordingMessage(1, p.get("$session_id").asText(), p.get("$window_id").asText(),
                        p.get("distinct_id").asText(), "web", p.path("$lib").asText("web"), 0L, null, "30d", events));
            }
            return messages;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The rrweb events of each $snapshot item of a recorded /s/ request with posthog-js per-event compression undone,
     * from the fixture's {@code .snapshot_data_decompressed.json} (one list per item, in the request's order).
     */
    static List<List<JsonNode>> decompressedFixture(String requestJson) {
        String name = requestJson.replace(".request.json", ".snapshot_data_decompressed.json");
        try {
            List<List<JsonNode>> items = new ArrayList<>();
            for (JsonNode item : Json.mapper().readTree(Fixtures.posthogJs(name).toFile())) {
                List<JsonNode> events = new ArrayList<>();
                item.get("properties").get("$snapshot_data").forEach(events::add);
                items.add(events);
            }
            return items;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every event of {@link #decompressedFixture}, flattened. */
    static List<JsonNode> decompressedEvents(String... requestJsons) {
        List<JsonNode> all = new ArrayList<>();
        for (String r : requestJsons) {
            decompressedFixture(r).forEach(all::addAll);
        }
        return all;
    }

    /** The block lines of a chunk, in the order the message had them: {@code [window_id, event]} pairs. */
    static List<JsonNode> lines(SessionChunk chunk) {
        List<JsonNode> pairs = new ArrayList<>();
        for (TimedLines.Line line : TimedLines.decode(ChunkCodec.packedLines(chunk), new ArrayList<>())) {
            try {
                pairs.add(Json.mapper().readTree(line.bytes()));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return pairs;
    }

    static RecordingMessage message(long team, String session, String window, String eventsJson) {
        try {
            List<JsonNode> events = new ArrayList<>();
            Json.mapper().readTree(eventsJson).forEach(events::add);
            return new RecordingMessage(team, session, window, "user-1", "web", "web", 0L, null, "30d", events);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static ConsumedRecord consumed(RecordingMessage message, long offset) {
        return new ConsumedRecord("recordings", 0, offset, 0L, null, Json.encode(message));
    }

    /** Runs messages through {@link DecodeRecordings} at processing time {@code now}. */
    static List<SessionChunk> decode(long now, List<RecordingMessage> messages) throws Exception {
        try (OneInputStreamOperatorTestHarness<ConsumedRecord, SessionChunk> harness =
                     new OneInputStreamOperatorTestHarness<>(new ProcessOperator<>(new DecodeRecordings()))) {
            harness.open();
            harness.setProcessingTime(now);
            long offset = 0;
            for (RecordingMessage m : messages) {
                harness.processElement(consumed(m, offset++), 0L);
            }
            return harness.extractOutputValues();
        }
    }
}
