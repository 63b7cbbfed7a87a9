package io.reflow.capture;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.reflow.contracts.Json;
import java.io.IOException;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A decoded capture body in any shape posthog-js (current or legacy) sends: one event, an array of
 * events, or {@code {"api_key"|"token": …, "sent_at": …, "batch": […]}}. The items are not checked here.
 *
 * @param json the decoded body, which the items' byte ranges point into
 * @param root the body's top-level object (without its batch), or an empty object for a bare array
 */
record Payload(byte[] json, JsonNode root, List<PayloadItem> items) {
    private static final int MAX_DISTINCT_ID_CHARS = 200;

    static JsonNode parseJson(byte[] json) {
        try {
            JsonNode root = Json.mapper().readTree(json);
            if (root == null || root.isMissingNode()) {
                throw CaptureException.badRequest("invalid_payload", "the body is empty");
            }
            return root;
        } catch (JsonProcessingException e) {
            throw CaptureException.badRequest("invalid_payload", "the body is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw CaptureException.badRequest("invalid_payload", "the body cannot be read: " + e.getMessage());
        }
    }

    /** An events body; each item keeps only what capture checks, see {@link PayloadReader}. */
    static Payload parse(byte[] json) {
        return PayloadReader.read(json, PayloadReader.Mode.EVENTS);
    }

    /** A recordings body; the rrweb events of each item are only scanned, see {@link PayloadReader}. */
    static Payload parseSnapshots(byte[] json) {
        return PayloadReader.read(json, PayloadReader.Mode.SNAPSHOTS);
    }

    List<JsonNode> events() {
        List<JsonNode> nodes = new ArrayList<>(items.size());
        items.forEach(i -> nodes.add(i.node()));
        return nodes;
    }

    /** The item as sent, fully parsed (an item's node holds only what capture checks). */
    JsonNode fullItem(PayloadItem item) {
        try {
            return Json.mapper().readTree(json, item.start(), item.end() - item.start());
        } catch (IOException e) {
            return item.node(); // it parsed once already; cannot happen
        }
    }

    /**
     * The project token of the request: from the body ({@code api_key}/{@code token}), the events
     * ({@code properties.token}, {@code api_key}, {@code token}, {@code $token}) or the query string.
     * Events naming different tokens are refused.
     */
    String token(Request request) {
        String token = firstText(root, "api_key", "token");
        if (token == null) {
            for (PayloadItem item : items) {
                String t = eventToken(item.node());
                if (t != null && token != null && !t.equals(token)) {
                    throw CaptureException.badRequest("multiple_tokens", "the events of one request name different project tokens");
                }
                token = token == null ? t : token;
            }
        }
        if (token == null) {
            token = request.query("api_key") != null ? request.query("api_key") : request.query("token");
        }
        return token;
    }

    /** {@code sent_at} of the event, else of the batch, else the legacy {@code _} query parameter (ms). */
    String sentAt(JsonNode event, Request request) {
        String sentAt = firstText(event, "sent_at");
        if (sentAt == null && root.isObject()) {
            sentAt = firstText(root, "sent_at");
        }
        if (sentAt == null && request.query("_") != null) {
            try {
                sentAt = Instant.ofEpochMilli(Long.parseLong(request.query("_"))).toString();
            } catch (NumberFormatException | DateTimeException ignored) {
                // a cache buster that is not a time: no sent_at
            }
        }
        return sentAt;
    }

    /** The event's distinct id (top level or in properties; numbers accepted), at most 200 chars, or null. */
    static String distinctId(JsonNode event) {
        JsonNode id = event.get("distinct_id");
        if (id == null || id.isNull()) {
            id = event.path("properties").get("distinct_id");
        }
        if (id == null || !(id.isTextual() || id.isNumber())) {
            return null;
        }
        String s = id.asText().strip();
        if (s.isEmpty()) {
            return null;
        }
        return s.length() > MAX_DISTINCT_ID_CHARS ? s.substring(0, MAX_DISTINCT_ID_CHARS) : s;
    }

    static String text(JsonNode node, String field) {
        return firstText(node, field);
    }

    private static String eventToken(JsonNode e) {
        String t = firstText(e.path("properties"), "token");
        return t != null ? t : firstText(e, "api_key", "token", "$token");
    }

    private static String firstText(JsonNode node, String... fields) {
        for (String f : fields) {
            JsonNode v = node.get(f);
            if (v != null && v.isTextual() && !v.asText().isBlank()) {
                return v.asText();
            }
        }
        return null;
    }
}
