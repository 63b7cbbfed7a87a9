package io.reflow.capture;

import com.fasterxml.jackson.databind.JsonNode;
import io.reflow.contracts.Json;
import io.reflow.testsupport.Fixtures;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** One request posthog-js really sent: {@code *.raw.bin} (the body bytes) with its {@code *.request.json} (meta and decoded body). */
record Fixture(String name, String method, String path, Map<String, String> query, Map<String, String> headers,
               byte[] raw, JsonNode body) {

    static final String TOKEN = "phc_spike_token";

    /** Every recorded request of runs 1, 2 and 7 that has a body. */
    static List<Fixture> all() {
        try (Stream<Path> files = Files.list(Fixtures.posthogJsDir())) {
            List<Fixture> all = new ArrayList<>();
            for (Path raw : files.filter(p -> p.getFileName().toString().matches("run[127]_.*\\.raw\\.bin")).sorted().toList()) {
                all.add(load(raw));
            }
            return all;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<Fixture> posts(String path) {
        return all().stream().filter(f -> f.path().equals(path)).toList();
    }

    static Fixture named(String prefix) {
        return all().stream().filter(f -> f.name().startsWith(prefix)).findFirst().orElseThrow();
    }

    private static Fixture load(Path raw) throws IOException {
        String name = raw.getFileName().toString().replace(".raw.bin", "");
        JsonNode request = Json.mapper().readTree(raw.resolveSibling(name + ".request.json").toFile());
        JsonNode meta = request.get("meta");
        return new Fixture(name, meta.get("method").asText(), meta.get("path").asText(), strings(meta.get("query")),
                strings(meta.get("headers")), Files.readAllBytes(raw), request.get("body"));
    }

    private static Map<String, String> strings(JsonNode object) {
        Map<String, String> map = new LinkedHashMap<>();
        object.fields().forEachRemaining(e -> map.put(e.getKey(), e.getValue().asText()));
        return map;
    }

    /** The events the body carries, in order, whatever its shape. */
    List<JsonNode> events() {
        JsonNode list = body.has("batch") ? body.get("batch") : body;
        List<JsonNode> events = new ArrayList<>();
        if (list.isArray()) {
            list.forEach(events::add);
        } else {
            events.add(list);
        }
        return events;
    }

    String queryString() {
        StringBuilder sb = new StringBuilder();
        query.forEach((k, v) -> sb.append(sb.length() == 0 ? "?" : "&").append(k).append('=').append(v));
        return sb.toString();
    }

    Request toRequest() {
        Map<String, List<String>> q = new LinkedHashMap<>();
        query.forEach((k, v) -> q.put(k, List.of(v)));
        return new Request(method, path, q, headers, raw, "127.0.0.1", 1_795_303_700_000L);
    }

    @Override
    public String toString() {
        return name;
    }
}
