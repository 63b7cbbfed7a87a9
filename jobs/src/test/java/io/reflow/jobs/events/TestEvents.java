package io.reflow.jobs.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.reflow.contracts.CapturedEvent;
import io.reflow.contracts.Json;
import io.reflow.testsupport.Fixtures;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/** Captured events for tests: scripted ones, and the real posthog-js /e/ fixtures as capture writes them. */
final class TestEvents {
    static final long TEAM = 2;
    static final String TOKEN = "phc_test";
    /** Capture's receive time of scripted events: 2026-11-22T00:00:00Z. */
    static final long NOW = Instant.parse("2026-11-22T00:00:00Z").toEpochMilli();
    private static final AtomicLong SEQ = new AtomicLong();

    private TestEvents() {}

    /** A captured event of {@code distinctId} (an {@code event} JSON object; uuid, timestamp and distinct_id added when absent). */
    static CapturedEvent captured(String distinctId, String eventJson) {
        return captured(TEAM, distinctId, eventJson, NOW);
    }

    static CapturedEvent captured(long team, String distinctId, String eventJson, long now) {
        ObjectNode event = (ObjectNode) tree(eventJson);
        long seq = SEQ.incrementAndGet();
        String uuid = event.has("uuid") ? event.get("uuid").asText()
                : String.format("01a20000-0000-7000-8000-%012d", seq);
        if (!event.has("timestamp") && !event.has("offset")) {
            event.put("timestamp", Instant.ofEpochMilli(now - 100).toString());
        }
        return new CapturedEvent(uuid, distinctId, team, TOKEN, "203.0.113.7", Instant.ofEpochMilli(now).toString(), now,
                Instant.ofEpochMilli(now - 50).toString(), event);
    }

    static NormalizedEvent normalized(String distinctId, String eventJson) {
        return normalized(captured(distinctId, eventJson));
    }

    static NormalizedEvent normalized(CapturedEvent c) {
        EventNormalizer.Result r = EventNormalizer.normalize(c);
        if (!(r instanceof EventNormalizer.Accepted a)) {
            throw new AssertionError("rejected: " + r);
        }
        return a.event();
    }

    static NormalizedEvent event(String distinctId, String name) {
        return normalized(distinctId, "{\"event\":\"" + name + "\",\"properties\":{}}");
    }

    static NormalizedEvent set(String distinctId, String setJson) {
        return normalized(distinctId, "{\"event\":\"$set\",\"properties\":{\"$set\":" + setJson + "}}");
    }

    static NormalizedEvent identify(String distinctId, String anon) {
        return identify(distinctId, anon, null, null);
    }

    /** posthog-js identify: {@code $set}/{@code $set_once} outside properties, $anon_distinct_id inside. */
    static NormalizedEvent identify(String distinctId, String anon, String setJson, String setOnceJson) {
        return normalized(distinctId, "{\"event\":\"$identify\",\"properties\":{\"$anon_distinct_id\":\"" + anon + "\"}"
                + (setJson == null ? "" : ",\"$set\":" + setJson)
                + (setOnceJson == null ? "" : ",\"$set_once\":" + setOnceJson) + "}");
    }

    static NormalizedEvent alias(String distinctId, String alias) {
        return normalized(distinctId, "{\"event\":\"$create_alias\",\"properties\":{\"alias\":\"" + alias + "\"}}");
    }

    static NormalizedEvent mergeDangerously(String distinctId, String alias) {
        return normalized(distinctId, "{\"event\":\"$merge_dangerously\",\"properties\":{\"alias\":\"" + alias + "\"}}");
    }

    static NormalizedEvent personless(String distinctId, String name) {
        return normalized(distinctId, "{\"event\":\"" + name + "\",\"properties\":{\"$process_person_profile\":false}}");
    }

    /** Every event of the recorded posthog-js {@code /e/} requests, in request order, as capture writes them (team 2). */
    static List<CapturedEvent> fixtureEvents() {
        List<CapturedEvent> out = new ArrayList<>();
        for (String file : List.of(
                "run1_configjs_04_POST_e_.request.json", "run1_configjs_07_POST_e_.request.json",
                "run1_configjs_08_POST_e_.request.json", "run1_configjs_10_POST_e_.request.json",
                "run2_jsonconfig_nocompress_04_POST_e_.request.json", "run2_jsonconfig_nocompress_08_POST_e_.request.json",
                "run2_jsonconfig_nocompress_09_POST_e_.request.json", "run2_jsonconfig_nocompress_11_POST_e_.request.json",
                "run7_legacy_v1.160.0_04_POST_e_.request.json", "run7_legacy_v1.160.0_06_POST_e_.request.json",
                "run7_legacy_v1.160.0_08_POST_e_.request.json", "run7_legacy_v1.160.0_10_POST_e_.request.json")) {
            out.addAll(fixture(file));
        }
        return out;
    }

    /** One recorded request: capture received it 120 ms after the client sent it. */
    static List<CapturedEvent> fixture(String file) {
        JsonNode request = tree(Fixtures.posthogJs(file));
        JsonNode body = request.get("body");
        String sentAt = body.path("sent_at").isTextual() ? body.get("sent_at").asText() : null;
        if (sentAt == null && request.path("meta").path("query").has("_")) {
            sentAt = Instant.ofEpochMilli(request.get("meta").get("query").get("_").asLong()).toString();
        }
        long received = Instant.parse(sentAt).toEpochMilli() + 120;
        List<JsonNode> events = new ArrayList<>();
        JsonNode list = body.isObject() && body.has("batch") ? body.get("batch") : body;
        if (list.isArray()) {
            list.forEach(events::add);
        } else {
            events.add(list);
        }
        List<CapturedEvent> out = new ArrayList<>();
        for (JsonNode e : events) {
            String distinctId = e.path("properties").path("distinct_id").asText();
            out.add(new CapturedEvent(e.get("uuid").asText(), distinctId, TEAM, TOKEN, "127.0.0.1",
                    Instant.ofEpochMilli(received).toString(), received, sentAt, e));
        }
        return out;
    }

    static JsonNode tree(String json) {
        try {
            return Json.mapper().readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonNode tree(java.nio.file.Path file) {
        try {
            return Json.mapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
