package io.reflow.local;

import com.fasterxml.jackson.databind.JsonNode;
import io.reflow.contracts.Json;
import io.reflow.testsupport.Fixtures;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/** Replays recorded posthog-js requests byte for byte (body, content type, query) against capture. */
final class FixtureRequests {
    private final HttpClient http = HttpClient.newHttpClient();
    private final String captureUrl;

    FixtureRequests(String captureUrl) {
        this.captureUrl = captureUrl;
    }

    /** Posts {@code <name>.raw.bin} as the SDK did; returns the HTTP status. */
    int post(String name) throws Exception {
        JsonNode meta = meta(name);
        StringBuilder query = new StringBuilder();
        for (Iterator<Map.Entry<String, JsonNode>> it = meta.path("query").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> q = it.next();
            query.append(query.length() == 0 ? "?" : "&").append(q.getKey()).append('=')
                    .append(URLEncoder.encode(q.getValue().asText(), StandardCharsets.UTF_8));
        }
        HttpRequest request = HttpRequest.newBuilder(URI.create(captureUrl + meta.path("path").asText() + query))
                .header("Content-Type", meta.path("headers").path("content-type").asText("text/plain"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(Fixtures.bytes(name + ".raw.bin")))
                .build();
        return http.send(request, HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    /** The rrweb events the recorded /s/ request carried, per session. */
    static Map<String, List<JsonNode>> snapshotEvents(String name, Map<String, List<JsonNode>> into) {
        try {
            JsonNode body = Json.mapper().readTree(Fixtures.posthogJs(name + ".request.json").toFile()).get("body");
            for (JsonNode item : body) {
                JsonNode p = item.get("properties");
                List<JsonNode> events = into.computeIfAbsent(p.get("$session_id").asText(), k -> new ArrayList<>());
                p.get("$snapshot_data").forEach(events::add);
            }
            return into;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JsonNode meta(String name) throws IOException {
        return Json.mapper().readTree(Fixtures.posthogJs(name + ".request.json").toFile()).get("meta");
    }
}
