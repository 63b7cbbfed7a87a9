package io.reflow.bench;

import io.reflow.capture.CaptureConfig;
import io.reflow.capture.CaptureServer;
import io.reflow.capture.RecordSink;
import io.reflow.capture.SinkRecord;
import io.reflow.capture.TeamRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The exact Kafka records capture writes for each body of a workload (same keys, values and headers), found by
 * posting every body once to an in-process capture whose sink only keeps what it is given. The producer
 * ceiling replays these.
 */
final class CaptureRecords {
    private CaptureRecords() {}

    static List<List<SinkRecord>> of(Workload workload, TeamRegistry teams) throws IOException, InterruptedException {
        Collecting sink = new Collecting();
        CaptureConfig config = CaptureConfig.fromEnv(Map.of("CAPTURE_HOST", "127.0.0.1", "CAPTURE_PORT", "0"));
        List<List<SinkRecord>> perBody = new ArrayList<>();
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        try (CaptureServer capture = CaptureServer.start(config, sink, teams)) {
            for (Body body : workload.bodies()) {
                sink.records.clear();
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + capture.port() + body.target()))
                        .header("Content-Type", body.contentType())
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body.raw())).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() != 200 || sink.records.isEmpty()) {
                    throw new IllegalStateException(body.name() + ": capture answered " + r.statusCode() + " " + r.body());
                }
                perBody.add(List.copyOf(sink.records));
            }
        }
        return perBody;
    }

    private static final class Collecting implements RecordSink {
        final List<SinkRecord> records = new CopyOnWriteArrayList<>();

        @Override
        public CompletableFuture<Void> send(List<SinkRecord> batch) {
            records.addAll(batch);
            return CompletableFuture.completedFuture(null);
        }
    }
}
