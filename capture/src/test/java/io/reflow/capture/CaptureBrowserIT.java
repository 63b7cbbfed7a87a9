package io.reflow.capture;

import io.reflow.contracts.CapturedEvent;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.reflow.contracts.Json;
import io.reflow.contracts.RecordingMessage;
import io.reflow.contracts.RetentionClass;
import io.reflow.testsupport.browser.Browser;
import io.reflow.testsupport.browser.BrowserResult;
import io.reflow.testsupport.browser.BrowserScenario;
import io.reflow.testsupport.browser.Chromium;
import io.reflow.testsupport.browser.NodePackages;
import io.reflow.testsupport.kafka.KafkaExtension;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.zip.GZIPInputStream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The real client: posthog-js from the npm registry, loaded by a page on another origin than capture, in headless
 * Debian Chromium driven by playwright-core. Clicking, typing and navigating produce {@code $pageview} and
 * {@code $autocapture} events and a recording of the same session in Kafka within 15 s of the last action.
 * Chromium (apt-get) and the npm packages are installed on first use.
 */
class CaptureBrowserIT {
    private static final String TOKEN = "phc_browser_it";
    private static final Team TEAM = new Team(42, "browser it", TOKEN, true, RetentionClass.D30, false);
    private static final Duration DELIVERY_BUDGET = Duration.ofSeconds(15);
    private static final Path OUT = Path.of("target", "browser").toAbsolutePath();
    private static final Path SCREENSHOT = OUT.resolve("capture-browser-it.png");

    @RegisterExtension
    static final KafkaExtension KAFKA = new KafkaExtension();

    private static Path posthogJs;

    private CaptureConfig config;
    private KafkaRecordSink sink;
    private CaptureServer capture;
    private HttpServer site;

    /** First run on a machine: apt-get installs Chromium (about half a minute), npm installs the packages. */
    @BeforeAll
    @Timeout(value = 20, unit = TimeUnit.MINUTES)
    static void installBrowserAndSdk() {
        long started = System.nanoTime();
        Path chromium = Chromium.executable();
        NodePackages.install(NodePackages.PLAYWRIGHT_CORE);
        posthogJs = NodePackages.install(NodePackages.POSTHOG_JS).file("posthog-js", "dist/array.full.no-external.js");
        System.out.printf("browser kit ready in %d ms: %s, %s%n", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started),
                Chromium.version(chromium), NodePackages.POSTHOG_JS);
    }

    @BeforeEach
    void start() throws IOException {
        config = TestTeams.config(
                "KAFKA_BOOTSTRAP_SERVERS", KAFKA.bootstrapServers(),
                "KAFKA_RECORDINGS_TOPIC", KAFKA.freshTopic("recordings", 3),
                "KAFKA_EVENTS_TOPIC", KAFKA.freshTopic("events", 3),
                "KAFKA_DEAD_LETTER_TOPIC", KAFKA.freshTopic("dead-letter", 1),
                "KAFKA_MESSAGE_TIMEOUT_MS", "30000");
        sink = KafkaRecordSink.create(config);
        capture = CaptureServer.start(config, sink, TeamRegistry.of(List.of(TEAM)));
        site = startSite(captureUrl());
    }

    @AfterEach
    void stop() {
        if (site != null) {
            site.stop(0);
        }
        if (capture != null) {
            capture.close();
        }
        if (sink != null) {
            sink.close();
        }
    }

    @Test
    void clicksTypingAndNavigationReachKafkaAsEventsAndOneRecordedSession() throws IOException {
        String page = siteUrl();
        assertThat(page).as("the page and capture are different origins").isNotEqualTo(captureUrl());
        String recording = "window.posthog && window.posthog.__loaded && window.posthog.sessionRecordingStarted()";
        BrowserScenario scenario = new BrowserScenario()
                .goTo(page + "/index.html")
                .waitForFunction(recording) // config fetched cross-origin, recorder running
                .click("#buy-button")
                .type("#name", "Ada Lovelace")
                .type("#note", "two please")
                .click("#buy-button")
                .click("#next")
                .waitFor("#rate-button")
                .waitForFunction(recording)
                .type("#feedback", "great")
                .click("#rate-button")
                .evaluate("sessionId", "window.posthog.get_session_id()")
                .evaluate("distinctId", "window.posthog.get_distinct_id()")
                .screenshot(SCREENSHOT)
                .mark("actions-done")
                .awaitSignal("finish", Duration.ofSeconds(90)); // the page stays open (and flushing) meanwhile

        long started = System.nanoTime();
        Seen seen = new Seen();
        BrowserResult result;
        Instant actionsDone;
        Instant delivered;
        try (Browser browser = Browser.start(scenario, OUT);
             KafkaConsumer<byte[], byte[]> consumer = consumer(config.eventsTopic(), config.recordingsTopic())) {
            actionsDone = browser.awaitMark("actions-done", Duration.ofSeconds(90));
            Instant deadline = actionsDone.plus(DELIVERY_BUDGET);
            while (!seen.complete() && Instant.now().isBefore(deadline)) {
                consumer.poll(Duration.ofMillis(200)).forEach(seen::add);
            }
            delivered = Instant.now();
            browser.signal("finish");
            result = browser.awaitResult(Duration.ofSeconds(30));
        }
        long totalMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        System.out.printf("browser scenario + delivery: %d ms; everything in Kafka %d ms after the last action; %s%n",
                totalMs, Duration.between(actionsDone, delivered).toMillis(), seen.summary());

        String context = seen.summary() + "\n" + result.diagnostics();
        assertThat(seen.complete()).as("within %s of the last action Kafka holds everything:\n%s", DELIVERY_BUDGET, context)
                .isTrue();

        // the events: one browser, one session, both pages viewed, the clicks autocaptured
        assertThat(seen.events).allSatisfy(e -> {
            assertThat(e.teamId()).isEqualTo(TEAM.teamId());
            assertThat(e.token()).isEqualTo(TOKEN);
            assertThat(e.ip()).isEqualTo("127.0.0.1");
        });
        assertThat(seen.sessionIds()).as(context).containsExactly(result.values().get("sessionId").asText());
        String sessionId = result.values().get("sessionId").asText();
        String distinctId = result.values().get("distinctId").asText();
        assertThat(seen.events).allSatisfy(e -> assertThat(e.distinctId()).isEqualTo(distinctId));
        assertThat(seen.pageviewUrls()).as(context).contains(page + "/index.html", page + "/second.html");
        assertThat(seen.clickedIds()).as(context).contains("buy-button", "rate-button");

        // the recording: the same session, a full snapshot of each page, the typing as input events
        assertThat(seen.recordings).allSatisfy(m -> {
            assertThat(m.sessionId()).isEqualTo(sessionId);
            assertThat(m.distinctId()).isEqualTo(distinctId);
            assertThat(m.teamId()).isEqualTo(TEAM.teamId());
            assertThat(m.retention()).isEqualTo("30d");
        });
        List<String> fullSnapshots = seen.fullSnapshotDoms();
        assertThat(fullSnapshots).as(context).anySatisfy(dom -> assertThat(dom).contains("Checkout", "buy-button"));
        assertThat(fullSnapshots).as(context).anySatisfy(dom -> assertThat(dom).contains("Thank you", "rate-button"));
        assertThat(seen.rrwebEvents(e -> e.path("type").asInt() == 3 && e.at("/data/source").asInt() == 5))
                .as("input events of the typing").isNotEmpty();

        // what the first page flushed while unloading arrived too (the browser reports those requests as
        // aborted, since the page that sent them is gone, but keepalive requests are still delivered)
        assertThat(seen.named("$pageleave").map(e -> e.event().at("/properties/$current_url").asText()))
                .as(context).contains(page + "/index.html");

        // nothing refused: every request to capture got a 200 (or was cut off by the navigation), none blocked by
        // CORS, nothing dead-lettered
        List<BrowserResult.Response> toCapture = result.responsesTo(captureUrl());
        assertThat(toCapture).as(context).isNotEmpty().allSatisfy(r -> assertThat(r.status() == 200
                || "net::ERR_ABORTED".equals(r.failure())).as(r.toString()).isTrue());
        assertThat(toCapture).extracting(BrowserResult.Response::url).anyMatch(u -> u.contains("/array/" + TOKEN + "/config"))
                .anyMatch(u -> u.contains("/e/")).anyMatch(u -> u.contains("/s/"));
        assertThat(result.pageErrors()).as(context).isEmpty();
        assertThat(result.console()).as(context).noneMatch(m -> m.text().contains("CORS") || m.text().contains("blocked"));
        try (KafkaConsumer<byte[], byte[]> deadLetters = consumer(config.deadLetterTopic())) {
            assertThat(deadLetters.poll(Duration.ofMillis(500))).as("dead letters").isEmpty();
        }
        assertThat(SCREENSHOT).isNotEmptyFile();
    }

    /** What arrived on the events and recordings topics so far. */
    private final class Seen {
        final List<CapturedEvent> events = new ArrayList<>();
        final List<RecordingMessage> recordings = new ArrayList<>();

        void add(ConsumerRecord<byte[], byte[]> r) {
            if (r.topic().equals(config.eventsTopic())) {
                events.add(Json.decode(r.value(), CapturedEvent.class));
            } else {
                recordings.add(Json.decode(r.value(), RecordingMessage.class));
            }
        }

        boolean complete() {
            Set<String> sessions = sessionIds();
            if (sessions.size() != 1 || !pageviewUrls().contains(siteUrl() + "/index.html")
                    || !pageviewUrls().contains(siteUrl() + "/second.html")
                    || !clickedIds().containsAll(List.of("buy-button", "rate-button"))) {
                return false;
            }
            String session = sessions.iterator().next();
            List<String> doms = fullSnapshotDoms();
            return recordings.stream().anyMatch(m -> m.sessionId().equals(session))
                    && doms.stream().anyMatch(d -> d.contains("Checkout"))
                    && doms.stream().anyMatch(d -> d.contains("Thank you"));
        }

        Set<String> sessionIds() {
            Set<String> ids = new LinkedHashSet<>();
            events.forEach(e -> ids.add(e.event().at("/properties/$session_id").asText()));
            return ids;
        }

        List<String> pageviewUrls() {
            return named("$pageview").map(e -> e.event().at("/properties/$current_url").asText()).toList();
        }

        /** Ids of the elements whose clicks were autocaptured (from {@code $elements_chain} or {@code $elements}). */
        Set<String> clickedIds() {
            Set<String> ids = new LinkedHashSet<>();
            named("$autocapture").filter(e -> e.event().at("/properties/$event_type").asText().equals("click"))
                    .forEach(e -> {
                        JsonNode props = e.event().get("properties");
                        String chain = props.path("$elements_chain").asText("");
                        for (String id : List.of("buy-button", "rate-button", "next")) {
                            if (chain.contains("attr__id=\"" + id + "\"") || chain.contains("attr_id=\"" + id + "\"")
                                    || props.path("$elements").toString().contains("\"" + id + "\"")) {
                                ids.add(id);
                            }
                        }
                    });
            return ids;
        }

        java.util.stream.Stream<CapturedEvent> named(String name) {
            return events.stream().filter(e -> e.event().path("event").asText().equals(name));
        }

        List<JsonNode> rrwebEvents(Predicate<JsonNode> filter) {
            return recordings.stream().flatMap(m -> m.events().stream()).filter(filter).toList();
        }

        /** The DOM of every full snapshot (rrweb type 2), as JSON text, with posthog-js's per-event gzip undone. */
        List<String> fullSnapshotDoms() {
            return rrwebEvents(e -> e.path("type").asInt() == 2).stream().map(e -> {
                JsonNode data = e.get("data");
                return data.isTextual() ? gunzipLatin1(data.asText()) : data.toString();
            }).toList();
        }

        String summary() {
            Map<String, Long> names = new java.util.TreeMap<>();
            events.forEach(e -> names.merge(e.event().path("event").asText(), 1L, Long::sum));
            return "events " + names + ", sessions " + sessionIds() + ", pageviews " + pageviewUrls() + ", clicked "
                    + clickedIds() + "; recording messages " + recordings.size() + " with "
                    + rrwebEvents(e -> true).size() + " rrweb events, " + fullSnapshotDoms().size() + " full snapshots";
        }
    }

    /** posthog-js compresses some rrweb event fields: the string's chars are the bytes of a gzip stream. */
    private static String gunzipLatin1(String compressed) {
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(compressed.getBytes(StandardCharsets.ISO_8859_1)))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new AssertionError("a compressed rrweb field that is not gzip", e);
        }
    }

    private String captureUrl() {
        return "http://127.0.0.1:" + capture.port();
    }

    private String siteUrl() {
        return "http://127.0.0.1:" + site.getAddress().getPort();
    }

    /** The page's own origin: the two HTML pages (pointed at capture) and posthog-js from the npm package. */
    private static HttpServer startSite(String captureUrl) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            try {
                String path = exchange.getRequestURI().getPath();
                if (path.equals("/posthog/array.full.no-external.js")) {
                    send(exchange, 200, "application/javascript", Files.readAllBytes(posthogJs));
                } else if (path.equals("/index.html") || path.equals("/second.html")) {
                    String html = resource("browser" + path).replace("__TOKEN__", TOKEN).replace("__CAPTURE_URL__", captureUrl);
                    send(exchange, 200, "text/html; charset=utf-8", html.getBytes(StandardCharsets.UTF_8));
                } else if (path.equals("/favicon.ico")) {
                    exchange.sendResponseHeaders(204, -1);
                } else {
                    send(exchange, 404, "text/plain", "not found".getBytes(StandardCharsets.UTF_8));
                }
            } finally {
                exchange.close();
            }
        });
        server.start();
        return server;
    }

    private static void send(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = CaptureBrowserIT.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IOException("no test resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static KafkaConsumer<byte[], byte[]> consumer(String... topics) {
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : topics) {
            for (PartitionInfo p : consumer.partitionsFor(topic)) {
                partitions.add(new TopicPartition(topic, p.partition()));
            }
        }
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        return consumer;
    }
}
