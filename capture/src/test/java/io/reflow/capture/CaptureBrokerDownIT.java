package io.reflow.capture;

import io.reflow.contracts.CapturedEvent;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.reflow.contracts.Json;
import io.reflow.testsupport.kafka.KafkaExtension;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The broker is killed (SIGKILL) while requests are in flight: capture must not answer 200 for any record
 * Kafka does not hold, must answer 503 with Retry-After meanwhile, and must accept requests again once the
 * broker is back, without a restart of its own.
 */
class CaptureBrokerDownIT {
    private static final int CLIENTS = 4;
    private static final long MESSAGE_TIMEOUT_MS = 3000;

    @RegisterExtension
    static final KafkaExtension KAFKA = new KafkaExtension();

    /** One request of the load: its event uuids and what capture answered (0: no answer). */
    private record Sent(List<String> uuids, int status, String code, String retryAfter) {}

    @Test
    void noRequestIsAcknowledgedThatKafkaDoesNotHoldAndCaptureRecoversWhenTheBrokerReturns() throws Exception {
        CaptureConfig config = TestTeams.config(
                "KAFKA_BOOTSTRAP_SERVERS", KAFKA.bootstrapServers(),
                "KAFKA_RECORDINGS_TOPIC", KAFKA.freshTopic("recordings", 2),
                "KAFKA_EVENTS_TOPIC", KAFKA.freshTopic("events", 3),
                "KAFKA_DEAD_LETTER_TOPIC", KAFKA.freshTopic("dead-letter", 1),
                "KAFKA_MESSAGE_TIMEOUT_MS", Long.toString(MESSAGE_TIMEOUT_MS));
        ConcurrentLinkedQueue<Sent> sent = new ConcurrentLinkedQueue<>();
        AtomicInteger sequence = new AtomicInteger();
        try (KafkaRecordSink sink = KafkaRecordSink.create(config);
             CaptureServer server = CaptureServer.start(config, sink, TestTeams.registry())) {
            HttpTestClient http = new HttpTestClient(server.port());
            assertThat(post(http, sequence).status()).isEqualTo(200);

            AtomicBoolean loading = new AtomicBoolean(true);
            ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
            List<Future<?>> load = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                load.add(clients.submit(() -> {
                    while (loading.get()) {
                        sent.add(post(http, sequence));
                    }
                }));
            }
            Thread.sleep(1000);
            KAFKA.broker().kill();
            long killedAt = System.nanoTime();
            // long enough for every request in flight at the kill, and some sent after it, to time out
            Thread.sleep(2 * MESSAGE_TIMEOUT_MS + 1000);
            assertThat(http.get("/_readiness", Map.of()).statusCode()).isEqualTo(503);
            loading.set(false);
            for (Future<?> f : load) {
                f.get(30, TimeUnit.SECONDS);
            }
            clients.shutdown();

            Sent whileDown = post(http, sequence);
            assertThat(whileDown.status()).isEqualTo(503);
            assertThat(whileDown.retryAfter()).isEqualTo("5");
            assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - killedAt)).isLessThan(30);

            KAFKA.broker().restart();
            Sent recovered = null;
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (System.nanoTime() < deadline) {
                Sent s = post(http, sequence);
                sent.add(s);
                if (s.status() == 200) {
                    recovered = s;
                    break;
                }
                Thread.sleep(200);
            }
            assertThat(recovered).as("a request succeeds within 60 s of the broker's restart").isNotNull();
            for (int i = 0; i < 5; i++) {
                Sent s = post(http, sequence);
                sent.add(s);
                assertThat(s.status()).isEqualTo(200);
            }
            assertThat(http.get("/_readiness", Map.of()).statusCode()).isEqualTo(200);
        }

        Set<String> held = TopicContents.read(KAFKA.bootstrapServers(), config.eventsTopic()).stream()
                .map(r -> Json.decode(r.value(), CapturedEvent.class).uuid()).collect(Collectors.toSet());
        List<Sent> ok = sent.stream().filter(s -> s.status() == 200).toList();
        List<Sent> refused = sent.stream().filter(s -> s.status() != 200).toList();
        assertThat(ok).as("requests answered 200").hasSizeGreaterThan(10);
        assertThat(refused).as("requests refused while the broker was down").isNotEmpty();
        for (Sent s : ok) {
            assertThat(held).as("every event of a 200 is in Kafka").containsAll(s.uuids());
        }
        for (Sent s : refused) {
            assertThat(s.status()).as("a refused request is a 503").isEqualTo(503);
            assertThat(s.code()).isIn("sink_unavailable", "sink_timeout", "overloaded");
            assertThat(s.retryAfter()).isEqualTo("5");
        }
    }

    @Test
    void anIdleCaptureTurnsNotReadyWhenTheBrokerGoesAwayAndReadyWhenItIsBack() throws Exception {
        CaptureConfig config = TestTeams.config(
                "KAFKA_BOOTSTRAP_SERVERS", KAFKA.bootstrapServers(),
                "KAFKA_EVENTS_TOPIC", KAFKA.freshTopic("idle-events", 1),
                "KAFKA_MESSAGE_TIMEOUT_MS", Long.toString(MESSAGE_TIMEOUT_MS));
        try (KafkaRecordSink sink = KafkaRecordSink.create(config);
             CaptureServer server = CaptureServer.start(config, sink, TestTeams.registry())) {
            HttpTestClient http = new HttpTestClient(server.port());
            await().atMost(Duration.ofSeconds(20)).until(() -> http.get("/_readiness", Map.of()).statusCode() == 200);

            KAFKA.broker().kill(); // and no request arrives to notice
            await().atMost(Duration.ofSeconds(20)).until(() -> http.get("/_readiness", Map.of()).statusCode() == 503);
            HttpResponse<String> notReady = http.get("/_readiness", Map.of());
            assertThat(notReady.body()).contains("not_ready");

            KAFKA.broker().restart();
            await().atMost(Duration.ofSeconds(60)).until(() -> http.get("/_readiness", Map.of()).statusCode() == 200);
            assertThat(post(new HttpTestClient(server.port()), new AtomicInteger()).status()).isEqualTo(200);
        }
    }

    private static Sent post(HttpTestClient http, AtomicInteger sequence) {
        int n = sequence.incrementAndGet();
        List<String> uuids = List.of("down-" + n + "-a", "down-" + n + "-b");
        ObjectNode body = Json.mapper().createObjectNode().put("api_key", Fixture.TOKEN);
        ArrayNode batch = body.putArray("batch");
        uuids.forEach(u -> batch.add(BadInputs.event(u, "client-" + n % CLIENTS)));
        HttpResponse<String> r = http.post("/e/", Json.encode(body), Map.of("Content-Type", "application/json"));
        String code = null;
        if (r.statusCode() != 200) {
            JsonNode error = Json.decode(r.body().getBytes(StandardCharsets.UTF_8), JsonNode.class);
            code = error.path("code").asText(null);
        }
        return new Sent(uuids, r.statusCode(), code, r.headers().firstValue("retry-after").orElse(null));
    }
}
