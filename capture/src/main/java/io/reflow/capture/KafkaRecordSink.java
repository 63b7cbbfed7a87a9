package io.reflow.capture;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Writes to Kafka with an idempotent, acks=all producer; a request's future completes when the broker
 * acknowledged all its records. After a failed send it reports itself not ready for a while (readiness
 * probe), so that a pod whose broker connection is broken gets traffic only now and then; while idle, a
 * {@link BrokerProbe} finds out the same without traffic.
 */
public final class KafkaRecordSink implements RecordSink {
    /** How long a failed send makes the sink report itself not ready (unless a later send succeeds). */
    private static final long UNREADY_NANOS = Duration.ofSeconds(10).toNanos();

    /** How often an idle capture checks that a broker answers. */
    static final Duration PROBE_INTERVAL = Duration.ofSeconds(3);

    private final Producer<byte[], byte[]> producer;
    /** When the last send failed, or null after a success. */
    private final AtomicReference<Long> failedAt = new AtomicReference<>();
    private final AtomicLong lastAckNanos = new AtomicLong(System.nanoTime());
    private final BrokerProbe probe;

    KafkaRecordSink(Producer<byte[], byte[]> producer, Map<String, Object> producerProperties) {
        this.producer = producer;
        this.probe = producerProperties == null ? null : new BrokerProbe(producerProperties, PROBE_INTERVAL, lastAckNanos::get);
    }

    public static KafkaRecordSink create(CaptureConfig config) {
        Map<String, Object> properties = producerProperties(config);
        return new KafkaRecordSink(new KafkaProducer<>(properties, new ByteArraySerializer(), new ByteArraySerializer()),
                properties);
    }

    /** The producer settings capture uses (also for benchmarking the producer alone with the same settings). */
    public static Map<String, Object> producerProperties(CaptureConfig config) {
        long timeoutMs = config.kafkaMessageTimeout().toMillis();
        Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafkaBootstrapServers());
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "reflow-capture");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, config.kafkaCompression());
        p.put(ProducerConfig.LINGER_MS_CONFIG, config.kafkaLingerMs());
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        // room for key and headers on top of the largest value capture produces
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, config.kafkaMaxMessageBytes() + 64 * 1024);
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) timeoutMs);
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.max(1, Math.min(30_000, timeoutMs - config.kafkaLingerMs())));
        // send() blocks a worker thread while metadata is unknown or the buffer is full: keep that short
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, Math.min(10_000, timeoutMs));
        p.putAll(config.kafkaProducerOverrides());
        return p;
    }

    @Override
    public CompletableFuture<Void> send(List<SinkRecord> records) {
        CompletableFuture<Void> all = new CompletableFuture<>();
        if (records.isEmpty()) {
            all.complete(null);
            return all;
        }
        AtomicInteger pending = new AtomicInteger(records.size());
        try {
            for (SinkRecord r : records) {
                producer.send(toProducerRecord(r), (metadata, error) -> {
                    if (error != null) {
                        failedAt.set(System.nanoTime());
                        all.completeExceptionally(error);
                    } else if (pending.decrementAndGet() == 0) {
                        lastAckNanos.set(System.nanoTime());
                        failedAt.set(null);
                        all.complete(null);
                    }
                });
            }
        } catch (RuntimeException e) { // metadata not available in max.block.ms, producer closed, …
            failedAt.set(System.nanoTime());
            all.completeExceptionally(e);
        }
        return all;
    }

    private static ProducerRecord<byte[], byte[]> toProducerRecord(SinkRecord r) {
        List<Header> headers = new ArrayList<>(r.headers().size());
        r.headers().forEach((k, v) -> headers.add(new RecordHeader(k, v.getBytes(StandardCharsets.UTF_8))));
        byte[] key = r.key() == null ? null : r.key().getBytes(StandardCharsets.UTF_8);
        return new ProducerRecord<>(r.topic(), null, key, r.value(), headers);
    }

    @Override
    public void flush() {
        producer.flush();
    }

    @Override
    public boolean ready() {
        Long failed = failedAt.get();
        return (failed == null || System.nanoTime() - failed > UNREADY_NANOS) && (probe == null || probe.reachable());
    }

    @Override
    public void close() {
        if (probe != null) {
            probe.close();
        }
        producer.close(Duration.ofSeconds(30));
    }
}
