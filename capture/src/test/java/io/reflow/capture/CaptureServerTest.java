package io.reflow.capture;

import io.reflow.contracts.CapturedEvent;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.reflow.contracts.Json;
import io.reflow.contracts.RecordingMessage;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The HTTP surface, end to end through Netty, with an in-memory sink. */
class CaptureServerTest {
    private static final MemorySink SINK = new MemorySink();
    private static final CaptureConfig CONFIG = TestTeams.config("CAPTURE_TRUSTED_PROXIES", "127.0.0.1/32, 10.0.0.0/8");
    private static CaptureServer server;
    private static HttpTestClient http;

    @BeforeAll
    static void start() {
        server = CaptureServer.start(CONFIG, SINK, TestTeams.registry());
        http = new HttpTestClient(server.port());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @BeforeEach
    void clearSink() {
        SINK.reset();
    }

    static List<Fixture> eventFixtures() {
        return Fixture.posts("/e/");
    }

    static List<Fixture> recordingFixtures() {
        return Fixture.posts("/s/");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("eventFixtures")
    void recordedEventRequestsBecomeOneRecordPerEvent(Fixture f) throws IOException {
        HttpResponse<String> response = http.post(f.path() + f.queryString(), f.raw(), HttpTestClient.replayable(f));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(Json.mapper().readTree(response.body())).isEqualTo(Json.mapper().readTree("{\"status\":1}"));
        List<SinkRecord> records = SINK.on(CONFIG.eventsTopic());
        List<JsonNode> posted = f.events();
        assertThat(records).hasSize(posted.size());
        assertThat(SINK.all()).hasSize(posted.size());
        for (int i = 0; i < posted.size(); i++) {
            JsonNode event = posted.get(i);
            String distinctId = event.path("properties").path("distinct_id").asText();
            SinkRecord r = records.get(i);
            assertThat(r.key()).isEqualTo(Fixture.TOKEN + ":" + distinctId);
            assertThat(r.headers()).containsEntry("team_id", "1").containsEntry("token", Fixture.TOKEN)
                    .containsEntry("distinct_id", distinctId);
            CapturedEvent captured = Json.decode(r.value(), CapturedEvent.class);
            assertThat(captured.event()).isEqualTo(event);
            assertThat(captured.uuid()).isEqualTo(event.get("uuid").asText());
            assertThat(captured.distinctId()).isEqualTo(distinctId);
            assertThat(captured.teamId()).isEqualTo(1);
            assertThat(captured.token()).isEqualTo(Fixture.TOKEN);
            assertThat(captured.ip()).isEqualTo("127.0.0.1");
            assertThat(Instant.parse(captured.now()).toEpochMilli()).isEqualTo(captured.receivedAtMs());
            String expectedSentAt = f.body().has("sent_at") ? f.body().get("sent_at").asText()
                    : Instant.ofEpochMilli(Long.parseLong(f.query().get("_"))).toString();
            assertThat(captured.sentAt()).isEqualTo(expectedSentAt);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("recordingFixtures")
    void recordedSnapshotRequestsBecomeOneRecordingMessagePerItem(Fixture f) {
        HttpResponse<String> response = http.post(f.path() + f.queryString(), f.raw(), HttpTestClient.replayable(f));

        assertThat(response.statusCode()).isEqualTo(200);
        List<SinkRecord> records = SINK.on(CONFIG.recordingsTopic());
        List<JsonNode> items = f.events();
        assertThat(records).hasSize(items.size());
        assertThat(SINK.all()).hasSize(items.size());
        for (int i = 0; i < items.size(); i++) {
            JsonNode props = items.get(i).get("properties");
            String sessionId = props.get("$session_id").asText();
            SinkRecord r = records.get(i);
            assertThat(r.key()).isEqualTo(sessionId);
            assertThat(r.headers()).containsEntry("team_id", "1").containsEntry("session_id", sessionId);
            RecordingMessage m = Json.decode(r.value(), RecordingMessage.class);
            assertThat(m.teamId()).isEqualTo(1);
            assertThat(m.sessionId()).isEqualTo(sessionId);
            assertThat(m.windowId()).isEqualTo(props.get("$window_id").asText());
            assertThat(m.distinctId()).isEqualTo(props.get("distinct_id").asText());
            assertThat(m.snapshotSource()).isEqualTo("web");
            assertThat(m.snapshotLibrary()).isEqualTo(props.has("$lib") ? props.get("$lib").asText() : "unknown");
            assertThat(m.retention()).isEqualTo("30d");
            assertThat(m.encrypt()).as("the team does not encrypt recordings").isFalse();
            assertThat(m.sentAt()).isNotBlank();
            assertThat(m.events()).containsExactlyElementsOf(props.get("$snapshot_data"));
        }
    }

    @Test
    void recordedFlagsAndDecideRequestsGetAnswers() throws IOException {
        for (Fixture f : Fixture.posts("/flags/")) {
            HttpResponse<String> r = http.post(f.path() + f.queryString(), f.raw(), HttpTestClient.replayable(f));
            assertThat(r.statusCode()).as(f.name()).isEqualTo(200);
            assertThat(Json.mapper().readTree(r.body())).isEqualTo(Json.mapper().readTree(
                    "{\"flags\":{},\"featureFlags\":{},\"featureFlagPayloads\":{},\"errorsWhileComputingFlags\":false}"));
        }
        Fixture decide = Fixture.posts("/decide/").get(0);
        HttpResponse<String> r = http.post(decide.path() + decide.queryString(), decide.raw(), HttpTestClient.replayable(decide));
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode answer = Json.mapper().readTree(r.body());
        assertThat(answer.at("/sessionRecording/endpoint").asText()).isEqualTo("/s/");
        assertThat(answer.get("supportedCompression")).contains(Json.mapper().getNodeFactory().textNode("gzip-js"));
        assertThat(answer.get("featureFlags").isEmpty()).isTrue();
        assertThat(SINK.all()).isEmpty();

        HttpResponse<String> get = http.get("/decide/?v=3&token=" + TestTeams.NO_RECORDINGS.apiToken(), Map.of());
        assertThat(get.statusCode()).isEqualTo(200);
        assertThat(Json.mapper().readTree(get.body()).get("sessionRecording").asBoolean(true)).isFalse();
    }

    @Test
    void remoteConfigOffersRecordingPerTeam() throws IOException {
        HttpResponse<String> on = http.get("/array/" + Fixture.TOKEN + "/config", Map.of());
        assertThat(on.statusCode()).isEqualTo(200);
        assertThat(on.headers().firstValue("content-type")).hasValue("application/json");
        JsonNode config = Json.mapper().readTree(on.body());
        assertThat(config.get("supportedCompression")).isEqualTo(Json.mapper().readTree("[\"gzip-js\"]"));
        assertThat(config.get("hasFeatureFlags").asBoolean(true)).isFalse();
        assertThat(config.at("/sessionRecording/endpoint").asText()).isEqualTo("/s/");

        JsonNode off = Json.mapper().readTree(http.get("/array/" + TestTeams.NO_RECORDINGS.apiToken() + "/config/", Map.of()).body());
        assertThat(off.get("sessionRecording").isBoolean()).isTrue();
        assertThat(off.get("sessionRecording").asBoolean()).isFalse();

        HttpResponse<String> js = http.get("/array/" + Fixture.TOKEN + "/config.js", Map.of());
        assertThat(js.statusCode()).isEqualTo(200);
        assertThat(js.headers().firstValue("content-type")).hasValue("application/javascript");
        assertThat(js.headers().firstValue("access-control-allow-origin")).hasValue("*");
        String prefix = "window._POSTHOG_REMOTE_CONFIG[\"" + Fixture.TOKEN + "\"]=";
        assertThat(js.body()).contains("window._POSTHOG_REMOTE_CONFIG=window._POSTHOG_REMOTE_CONFIG||{};").contains(prefix);
        String assigned = js.body().substring(js.body().indexOf(prefix) + prefix.length(), js.body().lastIndexOf(";})();"));
        JsonNode script = Json.mapper().readTree(assigned);
        assertThat(script.get("config")).isEqualTo(config);
        assertThat(script.get("siteApps")).isEqualTo(Json.mapper().createArrayNode());

        assertThat(config.get("sessionRecording").has("sampleRate")).isFalse();
        assertThat(config.get("sessionRecording").has("masking")).isFalse();
        JsonNode masked = Json.mapper().readTree(http.get("/array/" + TestTeams.MASKED.apiToken() + "/config", Map.of()).body());
        assertThat(masked.get("sessionRecording")).isEqualTo(Json.mapper().readTree("""
                {"endpoint":"/s/","consoleLogRecordingEnabled":false,"sampleRate":"0.10","minimumDurationMilliseconds":2000,
                 "masking":{"maskAllInputs":true,"maskTextSelector":".secret","blockSelector":".private"}}"""));

        assertError(http.get("/array/phc_unknown/config.js", Map.of()), 401, "authentication_error", "invalid_token");
        assertError(http.get("/array/" + Fixture.TOKEN + "/other", Map.of()), 404, "invalid_request", "not_found");
    }

    @Test
    void everyAnswerCarriesCorsHeadersAndPreflightsAreAnswered() {
        Fixture f = Fixture.posts("/e/").get(0);
        HttpResponse<String> post = http.post("/e/", f.raw(), Map.of("Origin", "https://shop.example"));
        assertThat(post.headers().firstValue("access-control-allow-origin")).hasValue("https://shop.example");
        assertThat(post.headers().firstValue("access-control-allow-credentials")).hasValue("true");

        HttpResponse<String> error = http.post("/e/", "nonsense".getBytes(StandardCharsets.UTF_8), Map.of("Origin", "https://shop.example"));
        assertThat(error.statusCode()).isEqualTo(400);
        assertThat(error.headers().firstValue("access-control-allow-origin")).hasValue("https://shop.example");

        HttpResponse<String> preflight = http.send(http.request("/s/", Map.of("Origin", "https://shop.example",
                "Access-Control-Request-Method", "POST", "Access-Control-Request-Headers", "content-type"))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody()));
        assertThat(preflight.statusCode()).isEqualTo(204);
        assertThat(preflight.headers().firstValue("access-control-allow-origin")).hasValue("https://shop.example");
        assertThat(preflight.headers().firstValue("access-control-allow-methods").orElseThrow()).contains("POST");
        assertThat(preflight.headers().firstValue("access-control-allow-headers")).hasValue("content-type");
    }

    @Test
    void recordingsOfATeamThatEncryptsAreStampedForEncryptionWithTheEventsStillLast() throws IOException {
        Fixture f = Fixture.posts("/s/").get(0);
        ArrayNode body = (ArrayNode) f.body().deepCopy();
        body.forEach(item -> ((ObjectNode) item.get("properties")).put("token", TestTeams.ENCRYPTED.apiToken()));

        HttpResponse<String> r = http.post("/s/", Json.encode(body), Map.of("Content-Type", "application/json"));

        assertThat(r.statusCode()).isEqualTo(200);
        List<SinkRecord> records = SINK.on(CONFIG.recordingsTopic());
        assertThat(records).hasSize(body.size());
        for (int i = 0; i < records.size(); i++) {
            RecordingMessage m = Json.decode(records.get(i).value(), RecordingMessage.class);
            assertThat(m.teamId()).isEqualTo(6);
            assertThat(m.encrypt()).isTrue();
            assertThat(m.events()).containsExactlyElementsOf(body.get(i).get("properties").get("$snapshot_data"));
        }
    }

    @Test
    void recordingsOfATeamWithRecordingsOffAreAnsweredAsQuotaLimitedAndNotWritten() throws IOException {
        Fixture f = Fixture.posts("/s/").get(0);
        ArrayNode body = (ArrayNode) f.body().deepCopy();
        body.forEach(item -> ((ObjectNode) item.get("properties")).put("token", TestTeams.NO_RECORDINGS.apiToken()));

        HttpResponse<String> r = http.post("/s/", Json.encode(body), Map.of("Content-Type", "application/json"));

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(Json.mapper().readTree(r.body())).isEqualTo(Json.mapper().readTree("{\"status\":1,\"quota_limited\":[\"recordings\"]}"));
        assertThat(SINK.all()).isEmpty();
        assertThat(http.get("/metrics", Map.of()).body())
                .contains("capture_quota_limited_total{reason=\"recordings_disabled\",resource=\"recordings\"}");
    }

    @Test
    void aTeamOverItsVolumeLimitIsAnsweredQuotaLimitedAndNothingIsWritten() throws IOException {
        String token = TestTeams.LIMITED.apiToken();
        String batch = "{\"api_key\":\"" + token + "\",\"batch\":[" + String.join(",", java.util.Collections.nCopies(3,
                "{\"event\":\"e\",\"properties\":{\"distinct_id\":\"d\"}}")) + "]}";
        assertThat(http.post("/e/", batch.getBytes(StandardCharsets.UTF_8), Map.of()).body()).isEqualTo("{\"status\":1}");
        HttpResponse<String> limited = http.post("/e/", batch.getBytes(StandardCharsets.UTF_8), Map.of());
        assertThat(limited.statusCode()).isEqualTo(200);
        assertThat(Json.mapper().readTree(limited.body())).isEqualTo(Json.mapper().readTree("{\"status\":1,\"quota_limited\":[\"events\"]}"));
        assertThat(SINK.on(CONFIG.eventsTopic())).hasSize(3);

        ArrayNode recording = (ArrayNode) Fixture.named("run1_configjs_09_POST_s_").body().deepCopy();
        recording.forEach(item -> ((ObjectNode) item.get("properties")).put("token", token));
        byte[] body = Json.encode(recording);
        assertThat(body.length).isBetween(10_001, 20_000);
        assertThat(http.post("/s/", body, Map.of()).body()).isEqualTo("{\"status\":1}");
        HttpResponse<String> limitedRecording = http.post("/s/", body, Map.of());
        assertThat(Json.mapper().readTree(limitedRecording.body()))
                .isEqualTo(Json.mapper().readTree("{\"status\":1,\"quota_limited\":[\"recordings\"]}"));
        assertThat(SINK.on(CONFIG.recordingsTopic())).hasSize(recording.size());

        String metrics = http.get("/metrics", Map.of()).body();
        assertThat(metrics).contains("capture_quota_limited_total{reason=\"volume_limit\",resource=\"events\"} 1.0")
                .contains("capture_quota_limited_total{reason=\"volume_limit\",resource=\"recordings\"} 1.0");
    }

    @Test
    void legacyPixelAndLz64RequestsAreDecoded() throws IOException {
        String event = "{\"event\":\"$pageview\",\"properties\":{\"token\":\"" + Fixture.TOKEN + "\",\"distinct_id\":\"px\"}}";
        String data = java.net.URLEncoder.encode(java.util.Base64.getEncoder().encodeToString(event.getBytes(StandardCharsets.UTF_8)),
                StandardCharsets.US_ASCII);
        HttpResponse<String> pixel = http.get("/e/?data=" + data + "&ip=1&_=1700000000000", Map.of());
        assertThat(pixel.statusCode()).as(pixel.body()).isEqualTo(200);

        Lz64Test.Vector legacy = Lz64Test.vectors().stream().filter(v -> v.name().equals("legacy_event_batch")).findFirst().orElseThrow();
        byte[] form = ("data=" + java.net.URLEncoder.encode(legacy.lz64(), StandardCharsets.US_ASCII)).getBytes(StandardCharsets.US_ASCII);
        HttpResponse<String> lz = http.post("/e/?compression=lz64&ver=1.160.0", form,
                Map.of("Content-Type", "application/x-www-form-urlencoded"));
        assertThat(lz.statusCode()).as(lz.body()).isEqualTo(200);

        List<CapturedEvent> captured = SINK.on(CONFIG.eventsTopic()).stream().map(r -> Json.decode(r.value(), CapturedEvent.class)).toList();
        JsonNode legacyEvents = Json.mapper().readTree(legacy.text());
        assertThat(captured).hasSize(1 + legacyEvents.size());
        assertThat(captured.get(0).distinctId()).isEqualTo("px");
        assertThat(captured.get(0).sentAt()).isEqualTo("2023-11-14T22:13:20Z");
        for (int i = 0; i < legacyEvents.size(); i++) {
            assertThat(captured.get(i + 1).event()).isEqualTo(legacyEvents.get(i));
        }
        assertError(http.get("/e/", Map.of()), 405, "invalid_request", "method_not_allowed");
    }

    @Test
    void invalidEventsGoToTheDeadLetterTopicWithTheirReasonAndTheRestIsAccepted() {
        String ok = "{\"event\":\"ok\",\"properties\":{\"distinct_id\":\"d\",\"$session_id\":\"0192f0a1-aaaa-7bbb-8ccc-0123456789ab\"}}";
        String body = "[" + String.join(",", ok,
                "42",
                "{\"event\":7,\"properties\":{\"distinct_id\":\"d\"}}",
                "{\"event\":\"" + "x".repeat(201) + "\",\"properties\":{\"distinct_id\":\"d\"}}",
                "{\"event\":\"e\",\"distinct_id\":\"d\",\"properties\":[1,2]}",
                "{\"event\":\"e\",\"properties\":{\"distinct_id\":\"d\",\"$session_id\":\"../../etc/passwd\"}}",
                ok) + "]";
        HttpResponse<String> r = http.post("/e/?token=" + Fixture.TOKEN, body.getBytes(StandardCharsets.UTF_8), Map.of());

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(SINK.on(CONFIG.eventsTopic())).hasSize(2);
        assertThat(SINK.on(CONFIG.deadLetterTopic())).extracting(d -> d.headers().get("reason")).containsExactly(
                "invalid_event", "invalid_event_name", "invalid_event_name", "invalid_properties", "invalid_session_id");
        assertThat(http.get("/metrics", Map.of()).body())
                .contains("capture_dead_letters_total{reason=\"invalid_event\"}")
                .contains("capture_records_written_total{kind=\"dead_letter\"}");
    }

    @Test
    void metricsAreServedInPrometheusFormat() {
        Fixture f = Fixture.posts("/e/").get(0);
        http.post(f.path(), f.raw(), HttpTestClient.replayable(f));
        http.post("/e/", "nonsense".getBytes(StandardCharsets.UTF_8), Map.of());
        http.get("/nowhere/at/all", Map.of());

        HttpResponse<String> r = http.get("/metrics", Map.of());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type").orElseThrow()).startsWith("text/plain; version=0.0.4");
        assertThat(r.body())
                .contains("capture_requests_total{route=\"/e/\",status=\"200\"}")
                .contains("capture_requests_total{route=\"other\",status=\"404\"}")
                .contains("capture_rejected_total{reason=\"invalid_payload\",route=\"/e/\",status=\"400\"}")
                .contains("capture_rejected_total{reason=\"not_found\",route=\"other\",status=\"404\"}")
                .contains("capture_request_body_bytes_sum{route=\"/e/\"}")
                .contains("capture_request_decoded_bytes_sum{route=\"/e/\"}")
                .contains("capture_request_duration_seconds_bucket{route=\"/e/\",le=\"0.005\"}")
                .contains("capture_kafka_ack_seconds_count{outcome=\"ok\"}")
                .contains("capture_records_written_total{kind=\"events\"}")
                .contains("capture_requests_in_flight ")
                .contains("capture_requests_queued ")
                .contains("jvm_memory_used_bytes{area=\"heap\"");
        assertThat(r.body()).doesNotContain("nowhere");
    }

    @Test
    void invalidSnapshotItemsGoToTheDeadLetterTopicAndTheRestIsAccepted() throws IOException {
        JsonNode valid = Fixture.posts("/s/").get(0).events().get(0);
        ArrayNode body = Json.mapper().createArrayNode();
        body.add(valid);
        body.add(withProperty(valid, "$session_id", null));
        body.add(withProperty(valid, "$session_id", Json.mapper().getNodeFactory().textNode("bad_id!")));
        body.add(withProperty(valid, "$session_id", Json.mapper().getNodeFactory().textNode("a".repeat(71))));
        body.add(withProperty(valid, "$snapshot_data", Json.mapper().createArrayNode()));
        ObjectNode notSnapshot = valid.deepCopy();
        notSnapshot.put("event", "$pageview");
        body.add(notSnapshot);

        HttpResponse<String> r = http.post("/s/", BodyDecoderTest.gzip(Json.encode(body)), Map.of("Content-Type", "text/plain"));

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(SINK.on(CONFIG.recordingsTopic())).hasSize(1);
        List<SinkRecord> dead = SINK.on(CONFIG.deadLetterTopic());
        assertThat(dead).extracting(d -> d.headers().get("reason")).containsExactly(
                "missing_session_id", "invalid_session_id", "invalid_session_id", "no_events", "not_a_snapshot");
        DeadLetter letter = Json.decode(dead.get(0).value(), DeadLetter.class);
        assertThat(letter.teamId()).isEqualTo(1);
        assertThat(letter.endpoint()).isEqualTo("/s/");
        assertThat(letter.source()).isEqualTo("capture");
        assertThat(letter.detail()).isNotBlank();
        assertThat(letter.payload()).isEqualTo(body.get(1));
    }

    @Test
    void eventsWithoutNameOrDistinctIdGoToTheDeadLetterTopic() {
        String body = "{\"api_key\":\"" + Fixture.TOKEN + "\",\"batch\":["
                + "{\"event\":\"ok\",\"properties\":{\"distinct_id\":42}},"
                + "{\"event\":\"no id\",\"properties\":{}},"
                + "{\"properties\":{\"distinct_id\":\"x\"}}]}";
        HttpResponse<String> r = http.post("/batch/", body.getBytes(StandardCharsets.UTF_8), Map.of());

        assertThat(r.statusCode()).isEqualTo(200);
        List<SinkRecord> events = SINK.on(CONFIG.eventsTopic());
        assertThat(events).singleElement().satisfies(e -> assertThat(e.key()).isEqualTo(Fixture.TOKEN + ":42"));
        assertThat(Json.decode(events.get(0).value(), CapturedEvent.class).uuid()).matches("[0-9a-f-]{14}7[0-9a-f-]{21}");
        assertThat(SINK.on(CONFIG.deadLetterTopic())).extracting(d -> d.headers().get("reason"))
                .containsExactly("missing_distinct_id", "missing_event_name");
    }

    @Test
    void forwardedForIsIgnoredWhenThePeerIsNotATrustedProxy() {
        try (CaptureServer direct = CaptureServer.start(TestTeams.config(), SINK, TestTeams.registry())) {
            String event = "{\"event\":\"e\",\"distinct_id\":\"d\",\"properties\":{\"token\":\"" + Fixture.TOKEN + "\"}}";
            new HttpTestClient(direct.port()).post("/e/", event.getBytes(StandardCharsets.UTF_8), Map.of("X-Forwarded-For", "203.0.113.77"));
        }
        assertThat(SINK.on(CONFIG.eventsTopic())).singleElement()
                .satisfies(r -> assertThat(Json.decode(r.value(), CapturedEvent.class).ip()).isEqualTo("127.0.0.1"));
    }

    @Test
    void ipsAreTakenFromForwardedForAndAnonymisedOnlyForTeamsThatAskForIt() {
        String event = "{\"event\":\"e\",\"distinct_id\":\"d\",\"properties\":{\"token\":\"%s\",\"$ip\":\"203.0.113.77\"}}";
        Map<String, String> forwarded = Map.of("X-Forwarded-For", "203.0.113.77, 10.0.0.1");

        http.post("/i/v0/e/", event.formatted(Fixture.TOKEN).getBytes(StandardCharsets.UTF_8), forwarded);
        http.post("/capture/", event.formatted(TestTeams.ANONYMOUS.apiToken()).getBytes(StandardCharsets.UTF_8), forwarded);
        http.post("/track", event.formatted(TestTeams.ANONYMOUS.apiToken()).getBytes(StandardCharsets.UTF_8), Map.of());

        List<CapturedEvent> captured = SINK.on(CONFIG.eventsTopic()).stream()
                .map(r -> Json.decode(r.value(), CapturedEvent.class)).toList();
        assertThat(captured).extracting(CapturedEvent::ip).containsExactly("203.0.113.77", "203.0.113.0", "127.0.0.0");
        assertThat(captured.get(0).event().at("/properties/$ip").asText()).isEqualTo("203.0.113.77");
        assertThat(captured.get(1).event().at("/properties/$ip").isMissingNode()).isTrue();
        assertThat(captured).extracting(CapturedEvent::teamId).containsExactly(1L, 3L, 3L);
    }

    @Test
    void badRequestsGetJsonReasons() throws IOException {
        assertError(http.post("/s/", "[{\"event\":".getBytes(StandardCharsets.UTF_8), Map.of()), 400, "validation_error", "invalid_payload");
        assertError(http.post("/e/", "[]".getBytes(StandardCharsets.UTF_8), Map.of()), 400, "validation_error", "empty_batch");
        assertError(http.post("/e/", "{\"event\":\"x\",\"properties\":{\"token\":\"phc_nope\"}}".getBytes(StandardCharsets.UTF_8), Map.of()),
                401, "authentication_error", "invalid_token");
        assertError(http.post("/s/", "[{\"event\":\"$snapshot\",\"properties\":{}}]".getBytes(StandardCharsets.UTF_8), Map.of()),
                401, "authentication_error", "missing_token");
        assertError(http.post("/e/", ("[{\"event\":\"x\",\"properties\":{\"token\":\"" + Fixture.TOKEN + "\"}},"
                + "{\"event\":\"x\",\"properties\":{\"token\":\"phc_other\"}}]").getBytes(StandardCharsets.UTF_8), Map.of()),
                400, "validation_error", "multiple_tokens");
        assertError(http.get("/e/", Map.of()), 405, "invalid_request", "method_not_allowed");
        assertError(http.get("/nowhere", Map.of()), 404, "invalid_request", "not_found");
        assertThat(SINK.all()).isEmpty();
    }

    @Test
    void aGzipBombIsRefusedWith413() throws IOException {
        byte[] bomb = BodyDecoderTest.gzip(new byte[CONFIG.maxRecordingsBytes() + 1]);
        assertError(http.post("/s/", bomb, Map.of("Content-Type", "text/plain")), 413, "validation_error", "payload_too_large");
        // the events endpoints have a lower limit
        byte[] small = BodyDecoderTest.gzip(new byte[CONFIG.maxEventsBytes() + 1]);
        assertError(http.post("/e/", small, Map.of()), 413, "validation_error", "payload_too_large");
        assertThat(SINK.all()).isEmpty();
    }

    @Test
    void aDeclaredBodyOverTheRouteLimitIsRefusedBeforeItIsSent() throws IOException {
        int tooBig = CaptureConfig.rawLimit(CONFIG.maxEventsBytes()) + 1;
        for (String expect : List.of("", "Expect: 100-continue\r\n")) {
            try (Socket socket = new Socket("127.0.0.1", server.port())) {
                socket.setSoTimeout(10_000);
                socket.getOutputStream().write(("POST /e/ HTTP/1.1\r\nHost: x\r\nOrigin: https://shop.example\r\n" + expect
                        + "Content-Type: text/plain\r\nContent-Length: " + tooBig + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                socket.getOutputStream().flush();
                String head = readHead(socket.getInputStream());
                assertThat(head).as(expect).startsWith("HTTP/1.1 413").containsIgnoringCase("content-type: application/json")
                        .containsIgnoringCase("access-control-allow-origin: https://shop.example");
            }
        }
        assertThat(SINK.all()).isEmpty();
    }

    private static String readHead(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        while (!sb.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            sb.append((char) b);
        }
        return sb.toString();
    }

    @Test
    void probes() {
        assertThat(http.get("/_liveness", Map.of()).statusCode()).isEqualTo(200);
        assertThat(http.get("/_readiness", Map.of()).statusCode()).isEqualTo(200);
        assertThat(server.ready()).isTrue();
    }

    static void assertError(HttpResponse<String> r, int status, String type, String code) throws IOException {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("content-type")).hasValue("application/json");
        JsonNode body = Json.mapper().readTree(r.body());
        assertThat(body.get("type").asText()).isEqualTo(type);
        assertThat(body.get("code").asText()).isEqualTo(code);
        assertThat(body.get("detail").asText()).isNotBlank();
        assertThat(body.size()).isEqualTo(3);
    }

    private static ObjectNode withProperty(JsonNode item, String name, JsonNode value) {
        ObjectNode copy = item.deepCopy();
        if (value == null) {
            ((ObjectNode) copy.get("properties")).remove(name);
        } else {
            ((ObjectNode) copy.get("properties")).set(name, value);
        }
        return copy;
    }
}
