package io.reflow.bench;

import io.reflow.capture.CaptureConfig;
import io.reflow.capture.KafkaRecordSink;
import io.reflow.capture.SinkRecord;
import io.reflow.capture.Team;
import io.reflow.capture.TeamRegistry;
import io.reflow.contracts.RetentionClass;
import io.reflow.testsupport.ChildProcess;
import io.reflow.testsupport.Ports;
import io.reflow.testsupport.kafka.KafkaBroker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Capture under load on loopback, next to its ceilings measured in the same run: a do-nothing Netty HTTP server
 * taking the same bodies, the Kafka producer alone with capture's settings and records, and a loop that only
 * gunzips the bodies. Starts a real Kafka broker, capture (with the heap given, {@code -Xmx512m} by default) and
 * the do-nothing server in JVMs of their own, runs a fixed number of rounds of fixed length, prints the figures
 * and stops everything. See docs/BENCHMARKS.md.
 */
public final class CaptureBenchmark {
    private static final String TOKEN = "phc_spike_token"; // the fixtures were recorded with it
    private static final int PARTITIONS = 4;
    // old segments of the benchmark's topics are deleted as the run goes, so disk use stays bounded
    private static final Map<String, String> TOPIC_CONFIG = Map.of("retention.bytes", Long.toString(512L << 20),
            "segment.bytes", Long.toString(64L << 20));

    private CaptureBenchmark() {}

    public static void main(String[] args) throws Exception {
        BenchOptions options = BenchOptions.parse(args);
        List<Workload> workloads = options.workloads().stream().map(Workload::named).toList();
        Report report = new Report(System.out);
        report.header(options, workloads, Files.readString(Path.of("/proc/loadavg")).trim());

        Path dir = Files.createTempDirectory("reflow-bench-");
        try (KafkaBroker broker = KafkaBroker.start(dir.resolve("kafka"), 0);
             LoadGenerator load = new LoadGenerator(options.clientThreads())) {
            for (String topic : List.of("bench-recordings", "bench-events", "bench-dead-letter", "bench-producer", "bench-perf-tool")) {
                broker.createTopic(topic, topic.endsWith("dead-letter") ? 1 : PARTITIONS, TOPIC_CONFIG);
            }
            Path teams = Files.writeString(dir.resolve("teams.json"),
                    "{\"teams\":[{\"team_id\":1,\"name\":\"bench\",\"api_token\":\"" + TOKEN + "\"}]}");
            Map<String, String> captureEnv = new HashMap<>(Map.of(
                    "CAPTURE_HOST", "127.0.0.1",
                    "CAPTURE_PORT", Integer.toString(Ports.free()),
                    "KAFKA_BOOTSTRAP_SERVERS", broker.bootstrapServers(),
                    "KAFKA_RECORDINGS_TOPIC", "bench-recordings",
                    "KAFKA_EVENTS_TOPIC", "bench-events",
                    "KAFKA_DEAD_LETTER_TOPIC", "bench-dead-letter",
                    "TEAM_REGISTRY", teams.toString()));
            CaptureConfig captureConfig = CaptureConfig.fromEnv(captureEnv);
            int nullPort = Ports.free();

            List<String> captureJvm = new ArrayList<>(List.of("-Xmx" + options.captureHeap()));
            captureJvm.addAll(options.captureJvmArgs());
            try (ChildProcess capture = ChildJvm.start("capture", "io.reflow.capture.Main", List.of(), captureJvm, captureEnv,
                    captureConfig.port(), dir.resolve("capture.log"));
                 ChildProcess nullServer = ChildJvm.start("null-http", NullHttpServer.class.getName(),
                         List.of(Integer.toString(nullPort)), List.of("-Xmx" + options.captureHeap()), Map.of(), nullPort,
                         dir.resolve("null-http.log"))) {
                awaitReady(captureConfig.port());
                Map<String, Long> pids = new LinkedHashMap<>();
                pids.put("capture", capture.pid());
                pids.put("kafka", CpuMeter.brokerPid());
                pids.put("do-nothing server", nullServer.pid());
                pids.put("benchmark JVM", ProcessHandle.current().pid());
                CpuMeter cpu = new CpuMeter(pids);
                TeamRegistry registry = TeamRegistry.of(List.of(new Team(1, "bench", TOKEN, true, RetentionClass.D30, false)));
                Map<String, List<List<SinkRecord>>> records = new HashMap<>();
                for (Workload w : workloads) {
                    records.put(w.name(), CaptureRecords.of(w, registry));
                    // JIT warm-up of both servers before the first measured round
                    load.run(captureConfig.port(), w.bodies(), options.connections(), Duration.ZERO, options.warmup().multipliedBy(2), 0);
                    load.run(nullPort, w.bodies(), options.connections(), Duration.ZERO, options.warmup().multipliedBy(2), 0);
                }

                List<RoundResult> rounds = new ArrayList<>();
                double heapMax = Double.NaN;
                for (int round = 1; round <= options.runs(); round++) {
                    for (Workload w : workloads) {
                        RoundResult r = round(round, w, options, load, nullPort, captureConfig, records.get(w.name()), cpu, dir);
                        rounds.add(r);
                        report.round(r);
                    }
                }
                try (HeapSampler heap = new HeapSampler(captureConfig.port())) {
                    Thread.sleep(500);
                    heapMax = heap.maxMib();
                }
                report.summary(rounds, workloads, heapMax, ChildJvm.peakRssMib(capture.pid()));
            }
        } finally {
            deleteRecursively(dir);
        }
    }

    private static RoundResult round(int round, Workload w, BenchOptions o, LoadGenerator load, int nullPort,
                                     CaptureConfig captureConfig, List<List<SinkRecord>> records, CpuMeter cpu, Path dir)
            throws Exception {
        int cores = Runtime.getRuntime().availableProcessors();
        Phases phases = new Phases(cpu, o);
        LoadResult http = phases.measure("http", () -> load.run(nullPort, w.bodies(), o.connections(), o.warmup(), o.duration(), 0));
        Ceiling httpCeiling = new Ceiling("do-nothing Netty server", http.requestsPerSecond(), http.decodedMegabytesPerSecond(),
                String.format("p50 %.2f ms, p99 %.2f ms", http.p50Millis(), http.p99Millis()));
        Ceiling gunzip = phases.measure("gunzip", () -> GunzipCeiling.measure(w, cores, o.warmup(), o.duration()));
        Ceiling gunzipOneCore = phases.measure("gunzip-1", () -> GunzipCeiling.measure(w, 1, o.warmup(), o.duration()));
        Ceiling producer = phases.measure("producer", () -> ProducerCeiling.measure(w, records,
                KafkaRecordSink.producerProperties(captureConfig), "bench-producer", o.warmup(), o.duration()));
        Ceiling perfTool = phases.measure("perf-tool", () -> PerfToolCeiling.measure(w, records,
                KafkaRecordSink.producerProperties(captureConfig), "bench-perf-tool", o.duration(), dir));

        LoadResult full;
        LoadResult half;
        double heapPeak;
        try (HeapSampler heap = new HeapSampler(captureConfig.port())) {
            full = phases.measure("capture", () -> load.run(captureConfig.port(), w.bodies(), o.connections(), o.warmup(),
                    o.duration(), 0));
            half = phases.measure("half", () -> load.run(captureConfig.port(), w.bodies(), o.connections(), o.warmup(),
                    o.duration(), full.requestsPerSecond() / 2));
            heapPeak = heap.peakUsedMib();
        }
        return new RoundResult(w.name(), round, httpCeiling, producer, perfTool, gunzip, gunzipOneCore, full, half,
                full.requestsPerSecond() / 2, heapPeak, phases.cpu());
    }

    private static void awaitReady(int port) throws InterruptedException {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/_readiness")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not up yet
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("capture did not become ready within 60 s");
    }

    private static void deleteRecursively(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + dir, e);
        }
    }
}
