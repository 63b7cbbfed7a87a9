package io.reflow.bench.replay;

import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Writes recording messages to a topic with capture's producer settings (idempotent, acks=all, zstd batches of up to
 * 256 KB), keyed by session id as capture does: a backlog as fast as the broker takes it, or a steady stream in
 * which every session sends one message per interval.
 */
final class RecordingProducer implements AutoCloseable {
    private final KafkaProducer<String, byte[]> producer;
    private final String topic;
    private final RecordingWorkload workload;
    private final Random random = new Random(42);
    private final AtomicReference<Exception> failure = new AtomicReference<>();
    private final AtomicLong sentBytes = new AtomicLong();
    private final Map<Integer, LongArray> sizesByOffset = new ConcurrentHashMap<>();
    private long sentMessages;

    RecordingProducer(String bootstrapServers, String topic, RecordingWorkload workload) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "zstd");
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 128L << 20);
        this.producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
        this.topic = topic;
        this.workload = workload;
    }

    /**
     * Sends messages round-robin over the sessions until {@code bytes} bytes of message values are sent; waits for acks.
     * Into a fresh topic: the backlog's index maps each partition's offsets to the bytes before them.
     */
    Backlog backlog(long bytes) {
        long started = System.nanoTime();
        for (long k = 0; sentBytes.get() < bytes; k++) {
            int session = (int) (k % workload.sessions());
            send(session, k / workload.sessions(), System.currentTimeMillis());
        }
        producer.flush();
        checkFailure();
        Map<Integer, long[]> cumulative = new HashMap<>();
        sizesByOffset.forEach((partition, sizes) -> {
            long[] sums = new long[sizes.length + 1];
            for (int o = 0; o < sizes.length; o++) {
                sums[o + 1] = sums[o] + sizes.values[o];
            }
            cumulative.put(partition, sums);
        });
        return new Backlog(new Sent(sentMessages, sentBytes.get(), (System.nanoTime() - started) / 1e9), cumulative);
    }

    /** What a backlog holds: per partition, {@code bytesBefore[offset]} is the size of the message values before offset. */
    record Backlog(Sent sent, Map<Integer, long[]> bytesBefore) {
        long bytesBefore(int partition, long offset) {
            long[] sums = bytesBefore.get(partition);
            return sums == null ? 0 : sums[(int) Math.min(offset, sums.length - 1)];
        }

        long messages(int partition) {
            long[] sums = bytesBefore.get(partition);
            return sums == null ? 0 : sums.length - 1;
        }
    }

    /** Message sizes by offset, as the acknowledgements come in (from the producer's I/O thread). */
    private static final class LongArray {
        long[] values = new long[1 << 14];
        int length;

        synchronized void set(long offset, long value) {
            if (offset >= values.length) {
                values = Arrays.copyOf(values, (int) Math.max(2L * values.length, offset + 1));
            }
            values[(int) offset] = value;
            length = (int) Math.max(length, offset + 1);
        }
    }

    /**
     * Every session sends one message every {@code interval} (sessions evenly staggered) for {@code duration}; each
     * message is announced to {@code follower} before it is sent. Returns what was sent, once acknowledged.
     */
    Sent steady(Duration interval, Duration duration, SummaryFollower follower) throws InterruptedException {
        double perMs = workload.sessions() / (double) interval.toMillis();
        long startMs = System.currentTimeMillis();
        long endMs = startMs + duration.toMillis();
        long k = 0;
        while (true) {
            long now = System.currentTimeMillis();
            if (now >= endMs) {
                break;
            }
            long due = (long) ((now - startMs) * perMs) + 1;
            for (; k < due; k++) {
                int session = (int) (k % workload.sessions());
                long receivedAt = System.currentTimeMillis();
                follower.expect(workload.sessionId(session), receivedAt);
                send(session, k / workload.sessions(), receivedAt);
            }
            checkFailure();
            Thread.sleep(5);
        }
        producer.flush();
        checkFailure();
        return new Sent(sentMessages, sentBytes.get(), (System.currentTimeMillis() - startMs) / 1e3);
    }

    private void send(int session, long seq, long receivedAt) {
        byte[] value = workload.message(session, seq, receivedAt, random);
        producer.send(new ProducerRecord<>(topic, workload.sessionId(session), value), (meta, e) -> {
            if (e != null) {
                failure.compareAndSet(null, e);
            } else {
                sizesByOffset.computeIfAbsent(meta.partition(), k -> new LongArray()).set(meta.offset(), value.length);
            }
        });
        sentBytes.addAndGet(value.length);
        sentMessages++;
    }

    private void checkFailure() {
        if (failure.get() != null) {
            throw new IllegalStateException("producing recording messages failed", failure.get());
        }
    }

    /** Messages and bytes of message values sent, and over how many seconds. */
    record Sent(long messages, long bytes, double seconds) {
        double megabytesPerSecond() {
            return bytes / 1e6 / seconds;
        }
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(10));
    }
}
