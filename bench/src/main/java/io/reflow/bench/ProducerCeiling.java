package io.reflow.bench;

import io.reflow.capture.SinkRecord;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The Kafka ceiling: capture's producer settings (acks=all, idempotent, same compression, linger and batch size)
 * sending the records capture writes for the workload, flat out (as {@code kafka-producer-perf-test} does:
 * asynchronous sends, back-pressure only from the producer's buffer), to a topic like capture's.
 */
final class ProducerCeiling {
    private ProducerCeiling() {}

    static Ceiling measure(Workload workload, List<List<SinkRecord>> recordsPerBody, Map<String, Object> producerProperties,
                           String topic, Duration warmup, Duration measure) {
        List<List<ProducerRecord<byte[], byte[]>>> perBody = new ArrayList<>();
        long records = 0;
        for (List<SinkRecord> body : recordsPerBody) {
            List<ProducerRecord<byte[], byte[]>> converted = new ArrayList<>();
            for (SinkRecord r : body) {
                List<Header> headers = new ArrayList<>();
                r.headers().forEach((k, v) -> headers.add(new RecordHeader(k, v.getBytes(StandardCharsets.UTF_8))));
                converted.add(new ProducerRecord<>(topic, null, r.key() == null ? null : r.key().getBytes(StandardCharsets.UTF_8),
                        r.value(), headers));
            }
            perBody.add(converted);
            records += converted.size();
        }
        double meanRecords = (double) records / perBody.size();

        AtomicLong acked = new AtomicLong();
        AtomicLong ackedBytes = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        long measureFrom = System.nanoTime() + warmup.toNanos();
        long stopAt = measureFrom + measure.toNanos();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerProperties,
                new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; System.nanoTime() < stopAt; i++) {
                for (ProducerRecord<byte[], byte[]> r : perBody.get(i % perBody.size())) {
                    int size = r.value().length;
                    producer.send(r, (metadata, error) -> {
                        long now = System.nanoTime();
                        if (error != null) {
                            failed.incrementAndGet();
                        } else if (now >= measureFrom && now < stopAt) {
                            acked.incrementAndGet();
                            ackedBytes.addAndGet(size);
                        }
                    });
                }
            }
            producer.flush();
        }
        if (failed.get() > 0) {
            throw new IllegalStateException(failed.get() + " records failed in the producer ceiling");
        }
        double seconds = measure.toNanos() / 1e9;
        double bodiesPerSecond = acked.get() / seconds / meanRecords;
        return new Ceiling("Kafka producer alone", bodiesPerSecond, bodiesPerSecond * workload.meanDecodedBytes() / 1e6,
                String.format("%.0f records/s, %.1f MB/s of record values (%.1f records per request)",
                        acked.get() / seconds, ackedBytes.get() / seconds / 1e6, meanRecords));
    }
}
