package io.reflow.capture;

import io.reflow.contracts.Json;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** An HTTP answer, independent of the server library: status, content type, body and extra headers. */
record Reply(int status, String contentType, byte[] body, Map<String, String> headers) {
    static final String JSON = "application/json";
    static final String JAVASCRIPT = "application/javascript";

    /** PostHog's answer to an accepted capture request. */
    static final Reply OK = json(200, Map.of("status", 1));

    Reply {
        headers = Map.copyOf(headers);
    }

    /** PostHog's answer when a project may not send more of {@code resource} now; posthog-js then backs off. */
    static Reply quotaLimited(String resource) {
        return json(200, Map.of("status", 1, "quota_limited", List.of(resource)));
    }

    static Reply json(int status, Object value) {
        return new Reply(status, JSON, Json.encode(value), Map.of());
    }

    static Reply text(int status, String contentType, String text) {
        return new Reply(status, contentType, text.getBytes(StandardCharsets.UTF_8), Map.of());
    }

    static Reply empty(int status) {
        return new Reply(status, null, new byte[0], Map.of());
    }

    Reply withHeader(String name, String value) {
        Map<String, String> h = new LinkedHashMap<>(headers);
        h.put(name, value);
        return new Reply(status, contentType, body, h);
    }
}
