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
 * once per flush age, when a thread buffers more than the job's default buffered-size limit (100 MB per subtask), and at
 * the end. Nothing is parsed, stored or written. Its rate is taken, as the job's is, between the moments 10% and 90% of
 * the backlog's bytes have been read (start-up and warm-up left out), with the CPU time this JVM spent meanwhile.
 */
final class ZstdBaseline {
    private ZstdBaseline() {}

    /** The job's default limit of buffered bytes per subtask, after which everything buffered is written. */
    static final long MAX_BUFFERED_BYTES = 100L * 1024 * 1024;

    /**
     * Bytes of message values and compressed; seconds and CPU seconds between the moments 10% and 90% of the bytes
     * had been read, and the bytes read meanwhile.
     */
    record Result(long bytes, long compressedBytes, double seconds, double cpuSeconds, long windowBytes) {
        double megabytesPerSecond() {
            return windowBytes / 1e6 / seconds;
        }

        double cpuSecondsPerMegabyte() {
            return cpuSeconds / (windowBytes / 1e6);
        }
    }

    /** Where the threads together are: bytes read, and the time and CPU when 10% and 90% of the total were passed. */
    private static final class Progress {
        private final long total;
        private long read;
        private long[] at10;
        private long[] at90;

        Progress(long total) {
            this.total = total;
        }

        synchronized void add(long bytes) {
            read += bytes;
            if (at10 == null && read >= total / 10) {
                at10 = new long[] {System.nanoTime(), read, ProcessCpu.ticks(ProcessHandle.current().pid())};
            }
            if (at90 == null && read >= total * 9 / 10) {
                at90 = new long[] {System.nanoTime(), read, ProcessCpu.ticks(ProcessHandle.current().pid())};
            }
        }
    }

    static Result run(String bootstrapServers, String topic, int partitions, Duration flushAge, int level, long totalBytes)
            throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(partitions);
        try {
            Progress progress = new Progress(totalBytes);
            List<Future<long[]>> results = new ArrayList<>();
            for (int partition = 0; partition < partitions; partition++) {
                TopicPartition tp = new TopicPartition(topic, partition);
                results.add(threads.submit(() -> consume(bootstrapServers, tp, flushAge, level, progress)));
            }
            long bytes = 0;
            long compressed = 0;
            for (Future<long[]> r : results) {
                bytes += r.get()[0];
                compressed += r.get()[1];
            }
            if (progress.at10 == null || progress.at90 == null) {
                throw new IllegalStateException("the baseline read " + bytes + " of " + totalBytes + " bytes");
            }
            return new Result(bytes, compressed, (progress.at90[0] - progress.at10[0]) / 1e9,
                    (progress.at90[2] - progress.at10[2]) / 100.0, progress.at90[1] - progress.at10[1]);
        } finally {
            threads.shutdownNow();
        }
    }

    private static long[] consume(String bootstrapServers, TopicPartition tp, Duration flushAge, int level, Progress progress) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        long bytes = 0;
        long compressed = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long end = consumer.endOffsets(List.of(tp)).get(tp);
            Map<String, ByteArrayOutputStream> sessions = new HashMap<>();
            long buffered = 0;
            long nextFlush = System.nanoTime() + flushAge.toNanos();
            while (consumer.position(tp) < end) {
                var records = consumer.poll(Duration.ofMillis(100));
                long polled = 0;
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    String session = new String(r.key(), StandardCharsets.UTF_8);
                    sessions.computeIfAbsent(session, k -> new ByteArrayOutputStream(4096)).writeBytes(r.value());
                    polled += r.value().length;
                }
                bytes += polled;
                buffered += polled;
                if (System.nanoTime() >= nextFlush || buffered >= MAX_BUFFERED_BYTES) {
                    compressed += compressAll(sessions, level);
                    buffered = 0;
                    nextFlush = System.nanoTime() + flushAge.toNanos();
                }
                progress.add(polled);
            }
            compressed += compressAll(sessions, level);
        }
        return new long[] {bytes, compressed};
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
