package io.reflow.capture;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * CORS headers for every answer (posthog-js runs on other origins; without them recording silently
 * stays off) and for {@code OPTIONS} preflights.
 */
final class Cors {
    private static final String DEFAULT_ALLOWED_HEADERS = "Content-Type, Content-Encoding, Authorization, X-Requested-With";

    private Cors() {}

    static Map<String, String> headers(String origin, String requestedHeaders, boolean preflight) {
        Map<String, String> h = new LinkedHashMap<>();
        if (origin == null || origin.isBlank() || origin.equals("null")) {
            h.put("Access-Control-Allow-Origin", "*");
        } else {
            h.put("Access-Control-Allow-Origin", origin);
            h.put("Access-Control-Allow-Credentials", "true");
            h.put("Vary", "Origin");
        }
        if (preflight) {
            h.put("Access-Control-Allow-Methods", "GET, POST, OPTIONS");
            h.put("Access-Control-Allow-Headers",
                    requestedHeaders == null || requestedHeaders.isBlank() ? DEFAULT_ALLOWED_HEADERS : requestedHeaders);
            h.put("Access-Control-Max-Age", "86400");
        }
        return h;
    }
}
