package io.reflow.viewer;

import io.reflow.contracts.Json;
import io.reflow.contracts.SessionKeyRow;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Where deletion rows of destroyed keys go besides ClickHouse: the session keys topic, keyed by key id as the replay
 * job keys the key rows. On the topic a deletion row follows the key row it replaces, so ClickHouse reading the topic
 * again (a new replica, a reset consumer group, a rebuilt database) ends with the deletion row winning, not with the
 * key back; a compacted topic keeps only the deletion row of each key.
 */
interface KeyDeletionRows {
    /** Publishes the rows and returns once the broker has them all; fails otherwise. */
    void publish(List<SessionKeyRow> deletions);

    /** Publishing nowhere: ClickHouse only (a viewer without Kafka settings). */
    KeyDeletionRows NONE = deletions -> { };

    /** An idempotent producer (acks=all) to the topic. */
    static KafkaKeyDeletionRows kafka(String bootstrapServers, String topic) {
        return new KafkaKeyDeletionRows(bootstrapServers, topic);
    }

    final class KafkaKeyDeletionRows implements KeyDeletionRows, AutoCloseable {
        private static final Duration TIMEOUT = Duration.ofSeconds(30);
        private final KafkaProducer<String, byte[]> producer;
        private final String topic;

        KafkaKeyDeletionRows(String bootstrapServers, String topic) {
            Properties p = new Properties();
            p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
            p.put(ProducerConfig.ACKS_CONFIG, "all");
            p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
            p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis());
            p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
            p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000L);
            this.producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
            this.topic = topic;
        }

        @Override
        public void publish(List<SessionKeyRow> deletions) {
            try {
                List<Future<RecordMetadata>> sent = deletions.stream()
                        .map(row -> producer.send(new ProducerRecord<>(topic, row.keyId(), Json.encode(row))))
                        .toList();
                producer.flush();
                for (Future<RecordMetadata> f : sent) {
                    f.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                }
            } catch (ExecutionException | TimeoutException | org.apache.kafka.common.KafkaException e) {
                Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
                throw new ApiError(503, "kafka_unavailable", "cannot publish the key deletions to " + topic
                        + " (nothing was deleted; try again): " + cause.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ApiError(503, "interrupted", "interrupted while publishing the key deletions");
            }
        }

        @Override
        public void close() {
            producer.close(Duration.ofSeconds(5));
        }
    }
}
