package io.reflow.schemas;

import io.reflow.contracts.Json;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Produces rows to a real broker the way the jobs do: JSON of the contract records, acknowledged by all replicas. */
final class KafkaRows implements AutoCloseable {
    private final KafkaProducer<String, byte[]> producer;

    KafkaRows(String bootstrapServers) {
        Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        producer = new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer());
    }

    /** Sends {@link Json#encode}{@code (row)} and waits for the acknowledgement. */
    KafkaRows send(String topic, String key, Object row) {
        return sendBytes(topic, key, Json.encode(row));
    }

    KafkaRows sendRaw(String topic, String key, String text) {
        return sendBytes(topic, key, text.getBytes(StandardCharsets.UTF_8));
    }

    private KafkaRows sendBytes(String topic, String key, byte[] value) {
        try {
            producer.send(new ProducerRecord<>(topic, key, value)).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("cannot produce to " + topic, e);
        }
        return this;
    }

    @Override
    public void close() {
        producer.close();
    }
}
