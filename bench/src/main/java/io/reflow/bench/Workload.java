package io.reflow.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.reflow.contracts.Json;
import io.reflow.testsupport.Fixtures;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

/** The gzip bodies posthog-js sent to one endpoint (runs 1, 2 and 7 of the fixtures), replayed round-robin. */
record Workload(String name, String path, List<Body> bodies) {

    static Workload named(String name) {
        return switch (name) {
            case "recordings" -> load(name, "/s/");
            case "events" -> load(name, "/e/");
            default -> throw new IllegalArgumentException("no workload " + name + " (recordings, events)");
        };
    }

    double meanRawBytes() {
        return bodies.stream().mapToInt(b -> b.raw().length).average().orElse(0);
    }

    double meanDecodedBytes() {
        return bodies.stream().mapToInt(Body::decodedBytes).average().orElse(0);
    }

    private static Workload load(String name, String path) {
        List<Body> bodies = new ArrayList<>();
        try (Stream<Path> files = Files.list(Fixtures.posthogJsDir())) {
            for (Path raw : files.filter(p -> p.getFileName().toString().matches("run[127]_.*_POST_.*\\.raw\\.bin")).sorted().toList()) {
                String fixture = raw.getFileName().toString().replace(".raw.bin", "");
                JsonNode meta = Json.mapper().readTree(raw.resolveSibling(fixture + ".request.json").toFile()).get("meta");
                byte[] bytes = Files.readAllBytes(raw);
                if (!meta.get("path").asText().equals(path) || !isGzip(bytes)) {
                    continue;
                }
                StringBuilder target = new StringBuilder(path);
                meta.get("query").fields().forEachRemaining(q ->
                        target.append(target.indexOf("?") < 0 ? '?' : '&').append(q.getKey()).append('=').append(q.getValue().asText()));
                bodies.add(new Body(fixture, target.toString(), meta.path("headers").path("content-type").asText("text/plain"),
                        bytes, gunzippedSize(bytes)));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (bodies.isEmpty()) {
            throw new IllegalStateException("no gzip fixture bodies for " + path);
        }
        return new Workload(name, path, List.copyOf(bodies));
    }

    private static boolean isGzip(byte[] b) {
        return b.length >= 2 && (b[0] & 0xff) == 0x1f && (b[1] & 0xff) == 0x8b;
    }

    private static int gunzippedSize(byte[] gzip) throws IOException {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gzip))) {
            return in.readAllBytes().length;
        }
    }
}
