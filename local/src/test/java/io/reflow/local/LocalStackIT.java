package io.reflow.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.reflow.contracts.BlockUrl;
import io.reflow.contracts.Json;
import io.reflow.contracts.RecordingBlock;
import io.reflow.testsupport.Fixtures;
import io.reflow.testsupport.Ports;
import java.io.IOException;
import io.reflow.testsupport.s3.S3Clients;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.ResponseTransformer;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/**
 * The walking skeleton end to end, through the same code as bin/local: the real posthog-js request bodies
 * → capture → Kafka → replay job (Flink MiniCluster, RocksDB) → batch files on S3 + summary rows → ClickHouse
 * (chDB) Kafka engine → session_replay_events. Then a restart on the same data dir resumes without losing
 * or duplicating anything.
 */
class LocalStackIT {
    static final List<String> FIRST = List.of("run1_configjs_09_POST_s_", "run1_configjs_11_POST_s_",
            "run2_jsonconfig_nocompress_10_POST_s_", "run2_jsonconfig_nocompress_12_POST_s_");
    static final List<String> AFTER_RESTART = List.of("run7_legacy_v1.160.0_07_POST_s_", "run7_legacy_v1.160.0_09_POST_s_",
            "run7_legacy_v1.160.0_11_POST_s_");

    @TempDir
    Path dataDir;

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void postedRecordingsArriveInClickHouseAndTheirBlocksReplayExactlyThePostedEvents() throws Exception {
        Files.writeString(dataDir.resolve("teams.json"), """
                {"teams": [{"team_id": 7, "name": "fixtures", "api_token": "phc_spike_token",
                            "recordings_enabled": true, "retention": "90d", "anonymize_ips": false}]}
                """);
        Map<String, List<JsonNode>> posted = new LinkedHashMap<>();
        // fixed across the restart, as bin/local's are: ClickHouse's Kafka table keeps the broker address it was created with
        LocalOptions options = new LocalOptions(dataDir, Ports.free(), Ports.free(), Ports.free(), Ports.free(), Ports.free(), Ports.free(),
                null, null, null, "it-access", "it-secret-key", "reflow-it");

        try (LocalStack stack = LocalStack.start(options)) {
            FixtureRequests capture = new FixtureRequests("http://127.0.0.1:" + stack.capturePort());
            for (String request : FIRST) {
                assertThat(capture.post(request)).as(request).isEqualTo(200);
                expectedEvents(request, posted);
            }
            List<JsonNode> sessions = awaitSessions(stack.clickhouseUrl(), posted);
            assertBlocksHoldExactlyThePostedEvents(stack, sessions, posted);
        }

        try (LocalStack resumed = LocalStack.start(options)) {
            FixtureRequests capture = new FixtureRequests("http://127.0.0.1:" + resumed.capturePort());
            for (String request : AFTER_RESTART) {
                assertThat(capture.post(request)).as(request).isEqualTo(200);
                expectedEvents(request, posted);
            }
            List<JsonNode> sessions = awaitSessions(resumed.clickhouseUrl(), posted);
            assertBlocksHoldExactlyThePostedEvents(resumed, sessions, posted);
        }
    }

    /**
     * The rrweb events a recorded /s/ request carried, per session, as the replay job stores them: with posthog-js
     * per-event compression undone ({@code <request>.snapshot_data_decompressed.json}).
     */
    private static void expectedEvents(String request, Map<String, List<JsonNode>> into) throws IOException {
        JsonNode items = Json.mapper().readTree(Fixtures.posthogJs(request + ".snapshot_data_decompressed.json").toFile());
        for (JsonNode item : items) {
            JsonNode p = item.get("properties");
            List<JsonNode> events = into.computeIfAbsent(p.get("$session_id").asText(), k -> new ArrayList<>());
            p.get("$snapshot_data").forEach(events::add);
        }
    }

    /** Waits until ClickHouse shows every posted session with its event count, and checks nothing is counted twice. */
    private List<JsonNode> awaitSessions(String clickhouseUrl, Map<String, List<JsonNode>> posted) throws Exception {
        String sql = """
                SELECT session_id, any(team_id) AS team, sum(event_count) AS events, max(retention_period_days) AS retention,
                       groupArrayArray(block_urls) AS urls, min(min_first_timestamp) AS first
                FROM session_replay_events GROUP BY session_id ORDER BY session_id FORMAT JSONEachRow""";
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        List<JsonNode> rows = List.of();
        while (System.nanoTime() < deadline) {
            rows = query(clickhouseUrl, sql);
            if (rows.size() == posted.size() && rows.stream().allMatch(r ->
                    r.get("events").asLong() >= posted.get(r.get("session_id").asText()).size())) {
                break;
            }
            Thread.sleep(500);
        }
        assertThat(rows).extracting(r -> r.get("session_id").asText()).containsExactlyInAnyOrderElementsOf(posted.keySet());
        for (JsonNode row : rows) {
            assertThat(row.get("events").asLong()).as("events of " + row.get("session_id"))
                    .isEqualTo(posted.get(row.get("session_id").asText()).size());
            assertThat(row.get("team").asLong()).isEqualTo(7);
            assertThat(row.get("retention").asLong()).isEqualTo(90);
        }
        return rows;
    }

    private void assertBlocksHoldExactlyThePostedEvents(LocalStack stack, List<JsonNode> sessions,
                                                        Map<String, List<JsonNode>> posted) {
        try (S3Client s3 = S3Clients.create(stack.s3Endpoint(), "it-access", "it-secret-key")) {
            for (JsonNode session : sessions) {
                List<JsonNode> stored = new ArrayList<>();
                Set<String> urls = new HashSet<>();
                for (JsonNode u : session.get("urls")) {
                    assertThat(urls.add(u.asText())).as("block listed twice: " + u).isTrue();
                    BlockUrl url = BlockUrl.parse(u.asText());
                    assertThat(url.key()).startsWith("recordings/90d/");
                    byte[] block = fetchBlock(s3, url);
                    RecordingBlock.decode(block).forEach(e -> stored.add(e.event()));
                }
                assertThat(stored).as("events stored for " + session.get("session_id") + ", per-event compression undone")
                        .containsExactlyInAnyOrderElementsOf(posted.get(session.get("session_id").asText()));
            }
        }
    }

    /**
     * A summary row can become visible a few milliseconds before its batch file is committed (the Kafka
     * transaction commits first; see docs/ARCHITECTURE.md), so a reader retries a missing fresh block briefly.
     */
    private static byte[] fetchBlock(S3Client s3, BlockUrl url) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            try {
                return s3.getObject(b -> b.bucket(url.bucket()).key(url.key()).range(url.rangeHeader()),
                        ResponseTransformer.toBytes()).asByteArray();
            } catch (NoSuchKeyException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                try {
                    Thread.sleep(100);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    private List<JsonNode> query(String clickhouseUrl, String sql) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(clickhouseUrl + "/"))
                .POST(HttpRequest.BodyPublishers.ofString(sql, StandardCharsets.UTF_8)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        List<JsonNode> rows = new ArrayList<>();
        for (String line : response.body().split("\n")) {
            if (!line.isBlank()) {
                rows.add(Json.mapper().readTree(line));
            }
        }
        return rows;
    }
}
