package io.reflow.bench;

import io.reflow.capture.SinkRecord;
import io.reflow.testsupport.ChildProcess;
import io.reflow.testsupport.RuntimeClasspath;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Kafka's own producer perf tool ({@code kafka-producer-perf-test}, {@code org.apache.kafka.tools.ProducerPerformance})
 * in its own JVM, with capture's producer settings and records of the mean size capture writes for the workload.
 * Its payloads are random letters, as the tool makes them; unlike the same few fixture records sent again and
 * again, they do not compress to almost nothing, so this is the broker's ceiling for traffic that varies as real
 * traffic does.
 */
final class PerfToolCeiling {
    private static final Pattern SUMMARY = Pattern.compile(
            "(\\d+) records sent, ([0-9.]+) records/sec \\(([0-9.]+) MB/sec\\)");

    private PerfToolCeiling() {}

    static Ceiling measure(Workload workload, List<List<SinkRecord>> recordsPerBody, Map<String, Object> producerProperties,
                           String topic, Duration measure, Path dir) {
        long records = 0;
        long bytes = 0;
        for (List<SinkRecord> body : recordsPerBody) {
            for (SinkRecord r : body) {
                records++;
                bytes += r.value().length;
            }
        }
        double recordsPerRequest = (double) records / recordsPerBody.size();
        int recordSize = (int) (bytes / records);
        // sized for about the measured duration at the broker's usual 50-250 MB/s
        long count = Math.max(10_000, 150L * 1024 * 1024 * measure.toSeconds() / recordSize);

        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-cp", RuntimeClasspath.load("kafka-broker"), "org.apache.kafka.tools.ProducerPerformance",
                "--topic", topic, "--num-records", Long.toString(count), "--record-size", Integer.toString(recordSize),
                "--throughput", "-1", "--producer-props"));
        producerProperties.forEach((k, v) -> command.add(k + "=" + v));
        Path log = dir.resolve("perf-tool-" + System.nanoTime() + ".log");
        ChildProcess.runToCompletion("kafka-producer-perf-test", command, log, 600);
        Matcher last = null;
        try {
            for (String line : Files.readAllLines(log)) {
                Matcher m = SUMMARY.matcher(line);
                if (m.find()) {
                    last = m;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (last == null) {
            throw new IllegalStateException("kafka-producer-perf-test printed no summary; see " + log);
        }
        double recordsPerSecond = Double.parseDouble(last.group(2));
        double requestsPerSecond = recordsPerSecond / recordsPerRequest;
        return new Ceiling("kafka-producer-perf-test", requestsPerSecond, requestsPerSecond * workload.meanDecodedBytes() / 1e6,
                String.format("%.0f records/s of %d B, %.1f MB/s (%s records, random letters as the tool makes them)",
                        recordsPerSecond, recordSize, recordsPerSecond * recordSize / 1e6, last.group(1)));
    }
}
