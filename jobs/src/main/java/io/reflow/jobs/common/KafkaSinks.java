package io.reflow.jobs.common;

import org.apache.flink.connector.base.DeliveryGuarantee;
import java.util.Map;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.sink.KafkaSinkBuilder;

/** The jobs' Kafka sinks: transactional, so what they write becomes visible with the checkpoint that wrote it. */
public final class KafkaSinks {
    /** Below the broker's transaction.max.timeout.ms (15 min by default); must outlast checkpoint interval + restart. */
    static final String TRANSACTION_TIMEOUT_MS = String.valueOf(10 * 60 * 1000);

    private KafkaSinks() {}

    public static KafkaSink<KeyedBytes> exactlyOnce(String bootstrapServers, String topic, String transactionalIdPrefix) {
        return exactlyOnce(bootstrapServers, topic, transactionalIdPrefix, Map.of());
    }

    /** {@code producerSettings}: more Kafka producer settings (batching, say) on top of these. */
    public static KafkaSink<KeyedBytes> exactlyOnce(String bootstrapServers, String topic, String transactionalIdPrefix,
                                                    Map<String, String> producerSettings) {
        KafkaSinkBuilder<KeyedBytes> builder = KafkaSink.<KeyedBytes>builder()
                .setBootstrapServers(bootstrapServers)
                .setRecordSerializer(new KeyedBytesSerializationSchema(topic))
                .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                .setTransactionalIdPrefix(transactionalIdPrefix)
                .setProperty("transaction.timeout.ms", TRANSACTION_TIMEOUT_MS)
                .setProperty("compression.type", "zstd");
        producerSettings.forEach(builder::setProperty);
        return builder.build();
    }
}
