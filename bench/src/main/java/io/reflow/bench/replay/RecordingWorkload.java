package io.reflow.bench.replay;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.reflow.contracts.Json;
import io.reflow.contracts.RecordingMessage;
import io.reflow.testsupport.Fixtures;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;

/**
 * Recording messages as capture writes them to the recordings topic, built from the $snapshot items of the recorded
 * posthog-js /s/ requests: every {@value #FULL_SNAPSHOT_EVERY}th message of a session (a page load) copies an item
 * holding a full snapshot (50 events, ~15 KB, the snapshot gzip-compressed per event as posthog-js sends it); the
 * others copy the incremental items (1 to 5 events, 0.1 to 1.7 KB). The sessions are already running when the
 * benchmark starts, their page loads staggered (session s loads a page when its message number + s is a multiple
 * of 20), so that full snapshots do not all arrive at once. Every event gets a fresh timestamp ending at the
 * message's {@code received_at_ms} (so the last timestamp of a block names the last message in it) and mouse
 * positions are randomized, so sessions do not repeat byte for byte. One session in four has the 1-year retention
 * class; sessions alternate between two teams.
 */
final class RecordingWorkload {
    static final int FULL_SNAPSHOT_EVERY = 20;
    private static final List<String> FIXTURES = List.of("run1_configjs_09_POST_s_.request.json",
            "run1_configjs_11_POST_s_.request.json", "run2_jsonconfig_nocompress_10_POST_s_.request.json",
            "run2_jsonconfig_nocompress_12_POST_s_.request.json");

    private final List<RecordingMessage> fullSnapshots = new ArrayList<>();
    private final List<RecordingMessage> incremental = new ArrayList<>();
    private final String[] sessionIds;
    private final boolean encrypt;

    RecordingWorkload(int sessions, String tag) {
        this(sessions, tag, false);
    }

    /** {@code encrypt}: every message asks for its session's blocks to be encrypted, as capture stamps it for such a team. */
    RecordingWorkload(int sessions, String tag, boolean encrypt) {
        this.encrypt = encrypt;
        for (String fixture : FIXTURES) {
            for (RecordingMessage m : fromFixture(fixture)) {
                boolean full = m.events().stream().anyMatch(e -> e.path("type").asInt() == 2);
                (full ? fullSnapshots : incremental).add(m);
            }
        }
        if (fullSnapshots.isEmpty() || incremental.isEmpty()) {
            throw new IllegalStateException("fixtures without full snapshots or incremental items: " + FIXTURES);
        }
        sessionIds = new String[sessions];
        for (int s = 0; s < sessions; s++) {
            sessionIds[s] = UUID.nameUUIDFromBytes((tag + "/" + s).getBytes()).toString();
        }
    }

    int sessions() {
        return sessionIds.length;
    }

    String sessionId(int session) {
        return sessionIds[session];
    }

    /** Message number {@code seq} of session {@code session}, received by capture at {@code receivedAtMs}. */
    byte[] message(int session, long seq, long receivedAtMs, Random random) {
        RecordingMessage template = (seq + session) % FULL_SNAPSHOT_EVERY == 0
                ? fullSnapshots.get((int) ((session + seq / FULL_SNAPSHOT_EVERY) % fullSnapshots.size()))
                : incremental.get((int) ((session + seq) % incremental.size()));
        List<JsonNode> events = new ArrayList<>(template.events().size());
        int n = template.events().size();
        for (int i = 0; i < n; i++) {
            ObjectNode event = template.events().get(i).deepCopy();
            event.put("timestamp", receivedAtMs - (n - 1 - i));
            if (event.get("data") instanceof ObjectNode data) {
                randomizePositions(data, random);
            }
            events.add(event);
        }
        return Json.encode(new RecordingMessage(1 + session % 2, sessionIds[session], template.windowId(),
                "user-" + session, "web", template.snapshotLibrary(), receivedAtMs, null,
                session % 4 == 3 ? "1y" : "30d", encrypt, null, events));
    }

    private static void randomizePositions(ObjectNode data, Random random) {
        if (data.has("x") && data.has("y")) {
            data.put("x", random.nextInt(1920));
            data.put("y", random.nextInt(1080));
        }
        if (data.get("positions") instanceof com.fasterxml.jackson.databind.node.ArrayNode positions) {
            for (JsonNode p : positions) {
                if (p instanceof ObjectNode position && position.has("x")) {
                    position.put("x", random.nextInt(1920));
                    position.put("y", random.nextInt(1080));
                }
            }
        }
    }

    /** The $snapshot items of a recorded /s/ request, as capture writes them. */
    private static List<RecordingMessage> fromFixture(String requestJson) {
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
}
