package io.reflow.capture;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.reflow.contracts.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * The bad-input table: every way a request can be wrong that we know of, each with the answer capture must
 * give and what must (and must not) reach Kafka. Bad items travel between valid ones, which must arrive.
 */
final class BadInputs {
    /** The limits the table's capture runs with: small, so that oversize bodies stay cheap to send. */
    static final int MAX_EVENTS_BYTES = 256 * 1024;
    static final int MAX_RECORDINGS_BYTES = 2 * 1024 * 1024;
    static final int KAFKA_MAX_MESSAGE_BYTES = 100_000;
    static final String[] ENV = {
            "CAPTURE_MAX_EVENTS_BYTES", Integer.toString(MAX_EVENTS_BYTES),
            "CAPTURE_MAX_BATCH_BYTES", Integer.toString(1024 * 1024),
            "CAPTURE_MAX_RECORDINGS_BYTES", Integer.toString(MAX_RECORDINGS_BYTES),
            "KAFKA_MAX_MESSAGE_BYTES", Integer.toString(KAFKA_MAX_MESSAGE_BYTES)};

    private static final String TOKEN = Fixture.TOKEN;
    private static final String QUOTA_EVENTS = "{\"status\":1,\"quota_limited\":[\"events\"]}";
    private static final String QUOTA_RECORDINGS = "{\"status\":1,\"quota_limited\":[\"recordings\"]}";
    private static final Map<String, String> TEXT = Map.of("Content-Type", "text/plain");
    private static final Map<String, String> FORM = Map.of("Content-Type", "application/x-www-form-urlencoded");
    private static final String SESSION_A = "0192f0a1-aaaa-7bbb-8ccc-00000000000a";
    private static final String SESSION_B = "0192f0a1-aaaa-7bbb-8ccc-00000000000b";

    private BadInputs() {}

    static List<BadInput> all() {
        List<BadInput> t = new ArrayList<>();
        byte[] validBatch = Json.encode(batch(event("v-1", "d1"), event("v-2", "d2")));

        // transport and encoding: the whole request is refused, nothing is written
        t.add(BadInput.refused("truncated gzip", post("/e/", TEXT, Arrays.copyOf(gzip(validBatch), 40)), 400, "invalid_gzip"));
        byte[] corrupt = gzip(validBatch);
        corrupt[corrupt.length - 6] ^= 0x55; // the CRC-32 in the trailer
        t.add(BadInput.refused("gzip with a corrupt checksum", post("/e/", TEXT, corrupt), 400, "invalid_gzip"));
        t.add(BadInput.refused("gzip bomb on /s/", post("/s/", TEXT, gzip(new byte[MAX_RECORDINGS_BYTES + 1])), 413, "payload_too_large"));
        t.add(BadInput.refused("gzip bomb on /e/", post("/e/", TEXT, gzip(whitespaceJson(64 * MAX_EVENTS_BYTES))), 413,
                "payload_too_large"));
        t.add(BadInput.refused("Content-Encoding gzip on a plain body", post("/e/",
                Map.of("Content-Type", "application/json", "Content-Encoding", "gzip"), validBatch), 400, "invalid_gzip"));
        t.add(BadInput.refused("unsupported Content-Encoding", post("/e/", Map.of("Content-Encoding", "br"), validBatch), 415,
                "unsupported_encoding"));
        t.add(BadInput.refused("lz64 garbage", post("/e/?compression=lz64", FORM, ascii("data=!!not*lz64!!")), 400, "invalid_lz64"));
        String lz = Lz64Test.vectors().get(0).lz64();
        t.add(BadInput.refused("truncated lz64", post("/e/?compression=lz64", FORM,
                ascii("data=" + URLEncoder.encode(lz.substring(0, lz.length() / 2), StandardCharsets.US_ASCII))), 400, "invalid_lz64"));
        t.add(BadInput.refused("lz64 bomb", post("/e/?compression=lz64", FORM, ascii("data=" + URLEncoder.encode(
                new String(Lz64Test.resource("bomb-64MiB.txt"), StandardCharsets.US_ASCII).strip(), StandardCharsets.US_ASCII))),
                413, "payload_too_large"));
        t.add(BadInput.refused("base64 form body that is not base64", post("/e/?compression=base64", FORM, ascii("data=@@@@")), 400,
                "invalid_payload"));
        t.add(BadInput.refused("form body without a data field", post("/e/", FORM, ascii("payload=e30%3D")), 400, "invalid_payload"));
        t.add(BadInput.refused("declared body length over the route limit (body never sent)", RawHttp.request("POST", "/e/",
                Map.of("Content-Length", Integer.toString(CaptureConfig.rawLimit(MAX_EVENTS_BYTES) + 1)), new byte[0]),
                413, "payload_too_large"));
        t.add(BadInput.refused("plain JSON body over the decoded limit", post("/e/", TEXT, whitespaceJson(MAX_EVENTS_BYTES + 1)), 413,
                "payload_too_large"));
        t.add(BadInput.refused("empty body", post("/e/", TEXT, new byte[0]), 400, "empty_body"));
        t.add(BadInput.refused("malformed HTTP request line", ascii("GARBAGE\r\n\r\n"), 400, "malformed_request"));

        // JSON that is not a request
        t.add(BadInput.refused("invalid JSON", post("/e/", TEXT, ascii("{\"api_key\":\"" + TOKEN + "\",\"batch\":[{")), 400,
                "invalid_payload"));
        byte[] badUtf8 = ("{\"api_key\":\"" + TOKEN + "\",\"batch\":[{\"event\":\"e\u00e9\",\"properties\":{\"distinct_id\":\"d\"}}]}")
                .getBytes(StandardCharsets.UTF_8);
        int accent = indexOf(badUtf8, (byte) 0xc3);
        badUtf8[accent + 1] = '('; // 0xc3 0x28: a lead byte without its continuation
        t.add(BadInput.refused("invalid UTF-8", post("/e/", TEXT, badUtf8), 400, "invalid_payload"));
        t.add(BadInput.refused("invalid UTF-8 inside gzip", post("/s/", TEXT, gzip(badUtf8)), 400, "invalid_payload"));
        t.add(BadInput.refused("JSON nested 100 000 deep", post("/e/", TEXT, ascii("[".repeat(100_000) + "]".repeat(100_000))), 400,
                "invalid_payload"));
        t.add(BadInput.refused("a JSON number instead of events", post("/e/", TEXT, ascii("42")), 400, "invalid_payload"));
        t.add(BadInput.refused("batch of the wrong type", post("/batch/", TEXT, ascii("{\"api_key\":\"" + TOKEN + "\",\"batch\":\"x\"}")),
                400, "invalid_payload"));
        t.add(BadInput.refused("empty batch", post("/e/", TEXT, ascii("{\"api_key\":\"" + TOKEN + "\",\"batch\":[]}")), 400, "empty_batch"));

        // who is sending
        t.add(BadInput.refused("missing token", post("/e/", TEXT, ascii("[{\"event\":\"e\",\"properties\":{\"distinct_id\":\"d\"}}]")),
                401, "missing_token"));
        t.add(BadInput.refused("unknown token", post("/e/", TEXT, Json.encode(batchWithToken("phc_unknown", event("u-1", "d")))), 401,
                "invalid_token"));
        t.add(BadInput.refused("token of the wrong type", post("/e/", TEXT, ascii("{\"api_key\":12345,\"batch\":"
                + "[{\"event\":\"e\",\"properties\":{\"distinct_id\":\"d\"}}]}")), 401, "missing_token"));
        t.add(BadInput.refused("path-traversal token", post("/e/", TEXT, Json.encode(batchWithToken("../../etc/passwd",
                event("u-1", "d")))), 401, "invalid_token"));
        t.add(BadInput.refused("events naming two tokens", post("/e/", TEXT, ascii("[{\"event\":\"e\",\"properties\":{\"token\":\""
                + TOKEN + "\",\"distinct_id\":\"d\"}},{\"event\":\"e\",\"properties\":{\"token\":\"phc_other\",\"distinct_id\":\"d\"}}]")),
                400, "multiple_tokens"));
        t.add(BadInput.refused("path traversal in the config path", RawHttp.request("GET", "/array/..%2F..%2Fetc%2Fpasswd/config",
                Map.of(), new byte[0]), 404, "not_found"));

        // where and how
        t.add(BadInput.refused("PUT on /e/", RawHttp.request("PUT", "/e/", TEXT, validBatch), 405, "method_not_allowed"));
        t.add(BadInput.refused("GET on /s/", RawHttp.request("GET", "/s/", Map.of(), new byte[0]), 405, "method_not_allowed"));
        t.add(BadInput.refused("unknown route", post("/wp-admin/setup.php", TEXT, validBatch), 404, "not_found"));
        t.add(BadInput.refused("pixel request with garbage data", RawHttp.request("GET", "/e/?data=@@@@", Map.of(), new byte[0]), 400,
                "invalid_payload"));

        // bad events between good ones: the bad one is dead-lettered, the good ones are written
        t.add(eventsAround("event without distinct_id", (ObjectNode) Json.mapper().createObjectNode().put("event", "e")
                .set("properties", Json.mapper().createObjectNode()), "missing_distinct_id"));
        t.add(eventsAround("event without a name", event("x", "d").without("event"), "missing_event_name"));
        t.add(eventsAround("event name of the wrong type", event("x", "d").put("event", 12), "invalid_event_name"));
        t.add(eventsAround("event name of 201 characters", event("x", "d").put("event", "n".repeat(201)), "invalid_event_name"));
        t.add(eventsAround("properties of the wrong type", (ObjectNode) event("x", "d").put("distinct_id", "d")
                .set("properties", Json.mapper().createArrayNode().add(1)), "invalid_properties"));
        t.add(eventsAround("an event that is not an object", Json.mapper().getNodeFactory().textNode("event"), "invalid_event"));
        t.add(eventsAround("event with a bad $session_id", withProperty(event("x", "d"), "$session_id", "not a session!"),
                "invalid_session_id"));
        t.add(eventsAround("event with a huge property (over the Kafka message limit)",
                withProperty(event("x", "d"), "blob", "b".repeat(KAFKA_MAX_MESSAGE_BYTES)), "event_too_large"));
        t.add(BadInput.accepted("path-traversal-looking distinct id is just data", post("/e/", TEXT,
                Json.encode(batch(event("v-1", "../../etc/passwd")))), List.of("v-1"), List.of(), List.of()));

        // bad recording items between good ones
        t.add(recordingsAround("recording with an invalid session id", snapshot("not a session id"), "invalid_session_id"));
        t.add(recordingsAround("recording with a path-traversal session id", snapshot("../../../etc/passwd"), "invalid_session_id"));
        t.add(recordingsAround("recording with a 71-character session id", snapshot("a".repeat(71)), "invalid_session_id"));
        t.add(recordingsAround("recording with a numeric session id", (ObjectNode) snapshot(SESSION_A).set("properties",
                ((ObjectNode) snapshot(SESSION_A).get("properties")).put("$session_id", 42)), "invalid_session_id"));
        t.add(recordingsAround("recording item that is not a $snapshot", snapshot(SESSION_A).put("event", "$pageview"),
                "not_a_snapshot"));
        t.add(recordingsAround("recording without distinct_id", without(snapshot(SESSION_A), "distinct_id"), "missing_distinct_id"));
        t.add(recordingsAround("recording with $snapshot_data of the wrong type", withProperty(snapshot(SESSION_A),
                "$snapshot_data", "{}"), "no_events"));
        t.add(recordingsAround("recording with rrweb events that are not objects", (ObjectNode) snapshot(SESSION_A).set("properties",
                ((ObjectNode) snapshot(SESSION_A).get("properties")).set("$snapshot_data",
                        Json.mapper().createArrayNode().add(1).add("two"))), "invalid_events"));

        // projects that may not send this now: 200 quota_limited, nothing written
        ArrayNode offRecordings = Json.mapper().createArrayNode().add(withProperty(snapshot(SESSION_A), "token",
                TestTeams.NO_RECORDINGS.apiToken()));
        t.add(new BadInput("recordings of a project with recordings off", post("/s/", TEXT, Json.encode(offRecordings)), 1, 200,
                null, QUOTA_RECORDINGS, List.of(), List.of(), List.of()));
        t.add(new BadInput("events over the project's volume limit (second request)", post("/e/", TEXT,
                Json.encode(batchWithToken(TestTeams.LIMITED.apiToken(), event("q-1", "d"), event("q-2", "d"), event("q-3", "d")))),
                1, 200, null, QUOTA_EVENTS, List.of("q-1", "q-2", "q-3"), List.of(), List.of()).sentTimes(2));
        return t;
    }

    private static BadInput eventsAround(String name, JsonNode bad, String reason) {
        ObjectNode body = batch(event("v-1", "d1"), bad, event("v-2", "d2"));
        return BadInput.accepted(name, post("/e/", TEXT, gzip(Json.encode(body))), List.of("v-1", "v-2"), List.of(), List.of(reason));
    }

    private static BadInput recordingsAround(String name, JsonNode bad, String reason) {
        ArrayNode body = Json.mapper().createArrayNode().add(snapshot(SESSION_A)).add(bad).add(snapshot(SESSION_B));
        return BadInput.accepted(name, post("/s/", TEXT, gzip(Json.encode(body))), List.of(), List.of(SESSION_A, SESSION_B),
                List.of(reason));
    }

    static ObjectNode event(String uuid, String distinctId) {
        ObjectNode e = Json.mapper().createObjectNode().put("uuid", uuid).put("event", "$pageview")
                .put("timestamp", "2026-11-24T00:00:00.000Z");
        e.putObject("properties").put("distinct_id", distinctId).put("$lib", "web").put("$current_url", "https://shop.example/");
        return e;
    }

    /** A real {@code $snapshot} item posthog-js sent, moved to {@code sessionId}. */
    static ObjectNode snapshot(String sessionId) {
        ObjectNode item = (ObjectNode) Fixture.named("run1_configjs_11_POST_s_").events().get(0).deepCopy();
        ((ObjectNode) item.get("properties")).put("$session_id", sessionId);
        return item;
    }

    private static ObjectNode batch(JsonNode... events) {
        return batchWithToken(TOKEN, events);
    }

    private static ObjectNode batchWithToken(String token, JsonNode... events) {
        ObjectNode b = Json.mapper().createObjectNode().put("api_key", token).put("sent_at", "2026-11-24T00:00:01.000Z");
        ArrayNode list = b.putArray("batch");
        Arrays.stream(events).forEach(list::add);
        return b;
    }

    private static ObjectNode withProperty(ObjectNode item, String name, String value) {
        ((ObjectNode) item.get("properties")).put(name, value);
        return item;
    }

    private static ObjectNode without(ObjectNode item, String property) {
        ((ObjectNode) item.get("properties")).remove(property);
        item.remove(property);
        return item;
    }

    private static byte[] post(String target, Map<String, String> headers, byte[] body) {
        return RawHttp.request("POST", target, headers, body);
    }

    /** {@code [ <n spaces> ]}: valid JSON of exactly {@code n} bytes that compresses to almost nothing. */
    private static byte[] whitespaceJson(int n) {
        byte[] b = new byte[n];
        Arrays.fill(b, (byte) ' ');
        b[0] = '[';
        b[n - 1] = ']';
        return b;
    }

    private static byte[] gzip(byte[] data) {
        try {
            return BodyDecoderTest.gzip(data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static int indexOf(byte[] haystack, byte needle) {
        for (int i = 0; i < haystack.length; i++) {
            if (haystack[i] == needle) {
                return i;
            }
        }
        throw new IllegalArgumentException("not found");
    }
}
