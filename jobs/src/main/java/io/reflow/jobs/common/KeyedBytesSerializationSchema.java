package io.reflow.jobs.common;

import java.nio.charset.StandardCharsets;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Writes {@link KeyedBytes} to one topic, keyed by its key so a session's rows stay ordered on one partition. */
public final class KeyedBytesSerializationSchema implements KafkaRecordSerializationSchema<KeyedBytes> {
    private final String topic;

    public KeyedBytesSerializationSchema(String topic) {
        if (topic == null || topic.isBlank()) {
            throw new IllegalArgumentException("topic is required");
        }
        this.topic = topic;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(KeyedBytes element, KafkaSinkContext context, Long timestamp) {
        byte[] key = element.key() == null ? null : element.key().getBytes(StandardCharsets.UTF_8);
        return new ProducerRecord<>(topic, null, timestamp, key, element.value());
    }
}
