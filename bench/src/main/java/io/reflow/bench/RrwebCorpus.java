package io.reflow.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.reflow.capture.CaptureConfig;
import io.reflow.capture.CaptureServer;
import io.reflow.capture.RecordSink;
import io.reflow.capture.SinkRecord;
import io.reflow.capture.Team;
import io.reflow.capture.TeamRegistry;
import io.reflow.contracts.Json;
import io.reflow.contracts.PerEventCompression;
import io.reflow.contracts.RecordingBlock;
import io.reflow.contracts.RecordingMessage;
import io.reflow.contracts.RetentionClass;
import io.reflow.testsupport.Cache;
import io.reflow.testsupport.ChildProcess;
import io.reflow.testsupport.browser.Browser;
import io.reflow.testsupport.browser.Chromium;
import io.reflow.testsupport.browser.NodePackages;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * Recordings of realistic pages made with the real posthog-js in headless Chromium, for dictionary training and the
 * compression benchmark: two sites served from this JVM (a shop, a fleet dashboard with live widgets), each session
 * moving the mouse, scrolling, clicking, typing and switching views for a few minutes, sent to an in-process capture
 * whose sink keeps the recordings. A corpus is recorded once and kept in the cache ({@code ~/.cache/reflow/corpus}).
 */
final class RrwebCorpus {
    static final String VERSION = "v1";
    private static final String TOKEN = "phc_corpus";

    /** One recorded session: its block lines {@code [window_id, event]} in timestamp order (per-event compression undone). */
    record Session(String site, String sessionId, List<byte[]> lines) {
        long bytes() {
            return lines.stream().mapToLong(l -> l.length).sum();
        }
    }

    private RrwebCorpus() {}

    /** The sessions of {@code site} ({@code shop} or {@code dashboard}), recorded now unless cached. */
    static List<Session> sessions(String site, int sessions, int seconds, int firstSeed) {
        Path dir = Cache.dir().resolve("corpus");
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Path file = dir.resolve("rrweb-" + VERSION + "-" + site + "-" + sessions + "x" + seconds + "s-seed"
                + firstSeed + ".jsonl.gz");
        if (!Files.exists(file)) {
            record(site, sessions, seconds, firstSeed, file);
        }
        return read(file);
    }

    private static void record(String site, int sessions, int seconds, int firstSeed, Path file) {
        System.err.printf("recording %d sessions of %d s on the %s site with posthog-js in Chromium (cached in %s)%n",
                sessions, seconds, site, file);
        ConcurrentLinkedQueue<SinkRecord> kept = new ConcurrentLinkedQueue<>();
        RecordSink sink = records -> {
            kept.addAll(records);
            return CompletableFuture.completedFuture(null);
        };
        CaptureConfig config = CaptureConfig.fromEnv(Map.of("CAPTURE_HOST", "127.0.0.1", "CAPTURE_PORT", "0"));
        TeamRegistry teams = TeamRegistry.of(List.of(new Team(1, "corpus", TOKEN, true, RetentionClass.D30, false)));
        Path work;
        try {
            work = Files.createTempDirectory("reflow-corpus-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        HttpServer pages = null;
        try (CaptureServer capture = CaptureServer.start(config, sink, teams)) {
            String captureUrl = "http://127.0.0.1:" + capture.port();
            pages = servePages(captureUrl);
            String siteUrl = "http://127.0.0.1:" + pages.getAddress().getPort() + "/" + site + ".html";
            List<Map<String, Object>> specs = new ArrayList<>();
            for (int i = 0; i < sessions; i++) {
                specs.add(Map.of("url", siteUrl + "?seed=" + (firstSeed + i), "seconds", seconds, "seed", firstSeed + i));
            }
            Map<String, Object> spec = new LinkedHashMap<>();
            spec.put("executablePath", Chromium.executable().toString());
            spec.put("args", Browser.CHROMIUM_FLAGS);
            spec.put("sessions", specs);
            spec.put("parallel", Math.min(6, sessions));
            Path specFile = Files.write(work.resolve("spec.json"), Json.encode(spec));
            Path script = work.resolve("record-sessions.cjs");
            copyResource("corpus/record-sessions.cjs", script);
            NodePackages playwright = NodePackages.install(NodePackages.PLAYWRIGHT_CORE);
            ChildProcess.runToCompletion("record-sessions", List.of(NodePackages.node().toString(), script.toString(),
                    playwright.root().toString(), specFile.toString()), work.resolve("record-sessions.log"), seconds * 4L + 300);
            capture.close();
            write(file, site, kept);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            if (pages != null) {
                pages.stop(0);
            }
        }
    }

    private static HttpServer servePages(String captureUrl) throws IOException {
        byte[] posthog = Files.readAllBytes(NodePackages.install(NodePackages.POSTHOG_JS)
                .file("posthog-js", "dist/array.full.no-external.js"));
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            switch (path) {
                case "/posthog.js" -> answer(exchange, "application/javascript", posthog);
                case "/common.js" -> answer(exchange, "application/javascript", resource("corpus/common.js"));
                case "/shop.html", "/dashboard.html" -> answer(exchange, "text/html; charset=utf-8",
                        new String(resource("corpus" + path), StandardCharsets.UTF_8).replace("{{CAPTURE_URL}}", captureUrl)
                                .getBytes(StandardCharsets.UTF_8));
                default -> {
                    exchange.sendResponseHeaders(404, -1);
                    exchange.close();
                }
            }
        });
        server.start();
        return server;
    }

    private static void answer(HttpExchange exchange, String type, byte[] body) throws IOException {
        exchange.getResponseHeaders().add("Content-Type", type);
        exchange.sendResponseHeaders(200, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    /** The recordings capture kept, per session, as block lines in timestamp order. */
    private static void write(Path file, String site, Iterable<SinkRecord> records) throws IOException {
        Map<String, List<JsonNode>> pairs = new LinkedHashMap<>();
        String recordingsTopic = CaptureConfig.fromEnv(Map.of()).recordingsTopic();
        for (SinkRecord r : records) {
            if (!r.topic().equals(recordingsTopic)) {
                continue;
            }
            RecordingMessage m = Json.decode(r.value(), RecordingMessage.class);
            for (JsonNode posted : m.events()) {
                try {
                    ArrayNode pair = Json.mapper().createArrayNode();
                    pair.add(m.windowId() == null ? "" : m.windowId());
                    pair.add(PerEventCompression.decode(posted, 64L << 20));
                    pairs.computeIfAbsent(m.sessionId(), k -> new ArrayList<>()).add(pair);
                } catch (PerEventCompression.UndecodableEvent e) {
                    throw new IllegalStateException("posthog-js sent an event that does not decode: " + e.getMessage(), e);
                }
            }
        }
        if (pairs.isEmpty()) {
            Map<String, Integer> topics = new LinkedHashMap<>();
            records.forEach(r -> topics.merge(r.topic(), 1, Integer::sum));
            throw new IllegalStateException("the browser sessions sent no recordings; capture wrote " + topics);
        }
        Path tmp = Files.createTempFile(file.getParent(), "corpus", ".tmp");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(tmp))) {
            for (Map.Entry<String, List<JsonNode>> session : pairs.entrySet()) {
                List<JsonNode> sorted = new ArrayList<>(session.getValue());
                sorted.sort(Comparator.comparingLong(p -> p.get(1).path("timestamp").asLong()));
                ObjectNode line = Json.mapper().createObjectNode().put("site", site).put("session_id", session.getKey());
                line.putArray("lines").addAll(sorted);
                out.write(Json.encode(line));
                out.write('\n');
            }
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private static List<Session> read(Path file) {
        List<Session> sessions = new ArrayList<>();
        try (InputStream in = new GZIPInputStream(Files.newInputStream(file))) {
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (line.isBlank()) {
                    continue;
                }
                JsonNode s = Json.mapper().readTree(line);
                List<byte[]> lines = new ArrayList<>();
                for (JsonNode pair : s.get("lines")) {
                    lines.add(RecordingBlock.line(pair.get(0).asText(), pair.get(1)));
                }
                sessions.add(new Session(s.get("site").asText(), s.get("session_id").asText(), lines));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read corpus " + file, e);
        }
        return sessions;
    }

    /** The recorded posthog-js sessions of the fixtures (runs 1, 2, 7), each one session of about 12 KB. */
    static List<Session> fixtureSessions() {
        List<Session> sessions = new ArrayList<>();
        for (String name : List.of("run1_configjs", "run2_jsonconfig_nocompress", "run7_legacy_v1.160.0")) {
            try {
                JsonNode events = Json.mapper().readTree(io.reflow.testsupport.Fixtures.posthogJs(name
                        + "_all_rrweb_events_decompressed.json").toFile());
                List<byte[]> lines = new ArrayList<>();
                for (JsonNode e : events) {
                    lines.add(RecordingBlock.line("w", e));
                }
                sessions.add(new Session("fixture", name, lines));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return sessions;
    }

    private static byte[] resource(String name) {
        try (InputStream in = RrwebCorpus.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("resource " + name + " missing next to " + RrwebCorpus.class.getName());
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void copyResource(String name, Path to) throws IOException {
        Files.write(to, resource(name));
    }

    static byte[] concat(List<byte[]> lines) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        lines.forEach(out::writeBytes);
        return out.toByteArray();
    }
}
