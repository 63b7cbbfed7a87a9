package io.reflow.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.reflow.contracts.Json;
import io.reflow.contracts.RecordingMessage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** What the client is told about delivery: 200 only once everything is acknowledged; 503 + Retry-After otherwise. */
class DeliveryTest {

    @Test
    void aFailingSinkIsA503WithRetryAfter() throws IOException {
        MemorySink sink = new MemorySink();
        sink.answer(MemorySink.FAIL);
        try (CaptureServer server = CaptureServer.start(TestTeams.config(), sink, TestTeams.registry())) {
            Fixture f = Fixture.posts("/s/").get(0);
            HttpResponse<String> r = new HttpTestClient(server.port()).post("/s/", f.raw(), HttpTestClient.replayable(f));

            CaptureServerTest.assertError(r, 503, "server_error", "sink_unavailable");
            assertThat(r.headers().firstValue("retry-after")).hasValue("5");
        }
    }

    @Test
    void aSinkThatDoesNotAcknowledgeInTimeIsA503() throws IOException {
        MemorySink sink = new MemorySink();
        sink.answer(MemorySink.HANG);
        try (CaptureServer server = CaptureServer.start(TestTeams.config("KAFKA_MESSAGE_TIMEOUT_MS", "100"), sink, TestTeams.registry())) {
            Fixture f = Fixture.posts("/e/").get(0);
            long start = System.nanoTime();
            HttpResponse<String> r = new HttpTestClient(server.port()).post("/e/", f.raw(), HttpTestClient.replayable(f));

            CaptureServerTest.assertError(r, 503, "server_error", "sink_timeout");
            assertThat(r.headers().firstValue("retry-after")).hasValue("5");
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isBetween(1_000L, 10_000L);
        }
    }

    @Test
    void theAnswerWaitsForTheAcknowledgement() {
        MemorySink sink = new MemorySink();
        CompletableFuture<Void> ack = new CompletableFuture<>();
        sink.answer(records -> ack);
        try (CaptureServer server = CaptureServer.start(TestTeams.config("KAFKA_MESSAGE_TIMEOUT_MS", "30000"), sink, TestTeams.registry())) {
            Fixture f = Fixture.posts("/e/").get(0);
            CompletableFuture<HttpResponse<String>> response = new HttpTestClient(server.port())
                    .postAsync("/e/", f.raw(), HttpTestClient.replayable(f));
            awaitRecords(sink);
            sleep(200);
            assertThat(response).isNotDone();

            ack.complete(null);
            assertThat(response.join().statusCode()).isEqualTo(200);
        }
    }

    @Test
    void closeDrainsRequestsInProgressThenStopsListening() {
        MemorySink sink = new MemorySink();
        sink.answer(records -> CompletableFuture.runAsync(() -> {}, CompletableFuture.delayedExecutor(500, TimeUnit.MILLISECONDS)));
        CaptureServer server = CaptureServer.start(TestTeams.config("KAFKA_MESSAGE_TIMEOUT_MS", "30000"), sink, TestTeams.registry());
        int port = server.port();
        Fixture f = Fixture.posts("/s/").get(0);
        CompletableFuture<HttpResponse<String>> response = new HttpTestClient(port).postAsync("/s/", f.raw(), HttpTestClient.replayable(f));
        awaitRecords(sink);

        server.close();

        // the answer was written before close returned; the client may take a moment to read it
        assertThat(response).succeedsWithin(Duration.ofSeconds(2));
        assertThat(response.join().statusCode()).isEqualTo(200);
        assertThat(response.join().headers().firstValue("connection")).hasValue("close");
        assertThat(sink.flushes).isEqualTo(1);
        assertThat(server.ready()).isFalse();
        assertThatThrownBy(() -> new Socket("127.0.0.1", port).close()).isInstanceOf(IOException.class);
        server.close(); // idempotent
    }

    @Test
    void aRecordingLargerThanTheKafkaMessageLimitIsSplitIntoConsecutiveMessages() {
        Fixture f = Fixture.named("run1_configjs_09_POST_s_");
        JsonNode item = f.events().get(0);
        JsonNode data = item.at("/properties/$snapshot_data");
        int largestEvent = 0;
        for (JsonNode e : data) {
            largestEvent = Math.max(largestEvent, Json.encode(e).length);
        }
        int limit = largestEvent + 2_000;
        MemorySink sink = new MemorySink();
        try (CaptureServer server = CaptureServer.start(TestTeams.config("KAFKA_MAX_MESSAGE_BYTES", Integer.toString(limit)),
                sink, TestTeams.registry())) {
            HttpResponse<String> r = new HttpTestClient(server.port()).post("/s/", f.raw(), HttpTestClient.replayable(f));
            assertThat(r.statusCode()).isEqualTo(200);
        }

        String sessionId = item.at("/properties/$session_id").asText();
        List<RecordingMessage> first = new ArrayList<>();
        for (SinkRecord rec : sink.all()) {
            assertThat(rec.topic()).isEqualTo(TestTeams.config().recordingsTopic());
            assertThat(rec.key()).isEqualTo(sessionId);
            assertThat(rec.value().length).isLessThanOrEqualTo(limit);
            first.add(Json.decode(rec.value(), RecordingMessage.class));
        }
        int secondItemEvents = f.events().get(1).at("/properties/$snapshot_data").size();
        List<JsonNode> rejoined = new ArrayList<>();
        first.subList(0, first.size() - 1).forEach(m -> rejoined.addAll(m.events()));
        assertThat(first.size()).isGreaterThan(2);
        assertThat(rejoined).containsExactlyElementsOf(data);
        assertThat(first.get(first.size() - 1).events()).hasSize(secondItemEvents);
    }

    @Test
    void anRrwebEventLargerThanTheKafkaMessageLimitIsCutIntoPartsThatRejoinInOrder() throws IOException {
        MemorySink sink = new MemorySink();
        int limit = 2000;
        Fixture f = Fixture.named("run1_configjs_09_POST_s_");
        try (CaptureServer server = CaptureServer.start(TestTeams.config("KAFKA_MAX_MESSAGE_BYTES", Integer.toString(limit)),
                sink, TestTeams.registry())) {
            assertThat(new HttpTestClient(server.port()).post("/s/", f.raw(), HttpTestClient.replayable(f)).statusCode()).isEqualTo(200);
        }
        assertThat(sink.on(TestTeams.config().deadLetterTopic())).isEmpty();

        List<JsonNode> posted = new ArrayList<>();
        f.events().forEach(item -> item.at("/properties/$snapshot_data").forEach(posted::add));
        List<SinkRecord> records = sink.on(TestTeams.config().recordingsTopic());
        assertThat(records).allSatisfy(rec -> assertThat(rec.value().length).isLessThanOrEqualTo(limit));
        RejoinedRecording rejoined = RejoinedRecording.of(records.stream().map(SinkRecord::value).toList());
        assertThat(rejoined.cutEvents()).isPositive();
        assertThat(rejoined.events()).containsExactlyElementsOf(posted);
    }

    @Test
    void requestsBeyondTheWorkerQueueAreRefusedWith503() throws Exception {
        MemorySink sink = new MemorySink();
        CompletableFuture<Void> ack = new CompletableFuture<>();
        sink.answer(records -> ack);
        CaptureConfig config = TestTeams.config("CAPTURE_WORKER_THREADS", "1", "CAPTURE_MAX_QUEUED_REQUESTS", "1",
                "KAFKA_MESSAGE_TIMEOUT_MS", "30000");
        try (CaptureServer server = CaptureServer.start(config, sink, TestTeams.registry())) {
            // a worker blocked inside the sink call, one request queued behind it, the next one refused
            CompletableFuture<Void> release = new CompletableFuture<>();
            sink.answer(records -> {
                release.join();
                return ack;
            });
            HttpTestClient http = new HttpTestClient(server.port());
            Fixture f = Fixture.posts("/e/").get(0);
            List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                responses.add(http.postAsync("/e/", f.raw(), HttpTestClient.replayable(f)));
                sleep(300);
            }
            HttpResponse<String> refused = responses.get(2).get(10, TimeUnit.SECONDS);
            CaptureServerTest.assertError(refused, 503, "server_error", "overloaded");
            release.complete(null);
            ack.complete(null);
            assertThat(responses.get(0).join().statusCode()).isEqualTo(200);
            assertThat(responses.get(1).join().statusCode()).isEqualTo(200);
        }
    }

    private static void awaitRecords(MemorySink sink) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (sink.all().isEmpty()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("nothing reached the sink");
            }
            sleep(10);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UncheckedIOException(new IOException(e));
        }
    }
}
