package io.reflow.bench.replay;

import com.github.luben.zstd.Zstd;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * What the job is compared with: one thread per partition, each with a plain KafkaConsumer (the job's source settings:
 * read_committed, default fetch sizes) reading its partition from the start to the end, appending every message's
 * bytes to its session's buffer (by record key) and zstd-compressing every session's buffer, at the job's level,
 * once per flush age and at the end. Nothing is parsed, stored or written. Timed from the first record read (consumer
 * start-up left out, as it is for the job), with the CPU time this JVM spent.
 */
final class ZstdBaseline {
    private ZstdBaseline() {}

    /** Bytes of message values, compressed, and seconds from the first record read to the last compression. */
    record Result(long bytes, long compressedBytes, double seconds, double cpuSeconds) {
        double megabytesPerSecond() {
            return bytes / 1e6 / seconds;
        }
    }

    static Result run(String bootstrapServers, String topic, int partitions, Duration flushAge, int level) throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(partitions);
        try {
            double cpuBefore = ProcessCpu.seconds(ProcessHandle.current().pid());
            List<Future<long[]>> results = new ArrayList<>();
            for (int partition = 0; partition < partitions; partition++) {
                TopicPartition tp = new TopicPartition(topic, partition);
                results.add(threads.submit(() -> consume(bootstrapServers, tp, flushAge, level)));
            }
            long bytes = 0;
            long compressed = 0;
            long firstRecord = Long.MAX_VALUE;
            long done = 0;
            for (Future<long[]> r : results) {
                bytes += r.get()[0];
                compressed += r.get()[1];
                firstRecord = Math.min(firstRecord, r.get()[2]);
                done = Math.max(done, r.get()[3]);
            }
            return new Result(bytes, compressed, (done - firstRecord) / 1e9,
                    ProcessCpu.seconds(ProcessHandle.current().pid()) - cpuBefore);
        } finally {
            threads.shutdownNow();
        }
    }

    private static long[] consume(String bootstrapServers, TopicPartition tp, Duration flushAge, int level) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        long bytes = 0;
        long compressed = 0;
        long firstRecord = Long.MAX_VALUE;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long end = consumer.endOffsets(List.of(tp)).get(tp);
            Map<String, ByteArrayOutputStream> sessions = new HashMap<>();
            long nextFlush = System.nanoTime() + flushAge.toNanos();
            while (consumer.position(tp) < end) {
                var records = consumer.poll(Duration.ofMillis(100));
                if (!records.isEmpty() && firstRecord == Long.MAX_VALUE) {
                    firstRecord = System.nanoTime();
                }
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    String session = new String(r.key(), StandardCharsets.UTF_8);
                    sessions.computeIfAbsent(session, k -> new ByteArrayOutputStream(4096)).writeBytes(r.value());
                    bytes += r.value().length;
                }
                if (System.nanoTime() >= nextFlush) {
                    compressed += compressAll(sessions, level);
                    nextFlush = System.nanoTime() + flushAge.toNanos();
                }
            }
            compressed += compressAll(sessions, level);
        }
        return new long[] {bytes, compressed, firstRecord, System.nanoTime()};
    }

    private static long compressAll(Map<String, ByteArrayOutputStream> sessions, int level) {
        long compressed = 0;
        for (ByteArrayOutputStream buffer : sessions.values()) {
            compressed += Zstd.compress(buffer.toByteArray(), level).length;
        }
        sessions.clear();
        return compressed;
    }
}
