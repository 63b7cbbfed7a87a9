package io.reflow.jobs.events;

import io.reflow.jobs.common.KafkaSinks;
import io.reflow.jobs.common.KeyedBytes;
import java.util.Map;
import org.apache.flink.connector.kafka.sink.KafkaSink;

/**
 * The events job's Kafka sinks: {@link KafkaSinks#exactlyOnce}'s (transactional, zstd), with producers that gather
 * larger batches. The job writes several small rows per event to several topics; with Kafka's defaults (16 KiB batches,
 * 5 ms linger) the producers' network threads and the broker spent more CPU per event on requests and per-batch
 * compression than the job spent on the event itself. A batch waits at most {@link #LINGER_MS} more; what becomes
 * visible when is unchanged (with the checkpoint that commits the transaction).
 */
public final class EventsSinks {
    static final String LINGER_MS = "50";
    static final String BATCH_BYTES = String.valueOf(512 * 1024);

    private EventsSinks() {}

    public static KafkaSink<KeyedBytes> exactlyOnce(String bootstrapServers, String topic, String transactionalIdPrefix) {
        return KafkaSinks.exactlyOnce(bootstrapServers, topic, transactionalIdPrefix,
                Map.of("linger.ms", LINGER_MS, "batch.size", BATCH_BYTES));
    }
}
