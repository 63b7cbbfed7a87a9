package io.reflow.capture;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Where capture writes: the production sink is Kafka ({@link KafkaRecordSink}); tests and the local
 * launcher may pass their own. Chosen once, at startup.
 */
public interface RecordSink extends AutoCloseable {

    /**
     * Writes the records, in order per key. The future completes when every record is durably
     * acknowledged, or exceptionally as soon as one of them failed.
     */
    CompletableFuture<Void> send(List<SinkRecord> records);

    /** Blocks until everything sent so far is acknowledged or failed. */
    default void flush() {}

    /** False while the sink knows it cannot write (readiness probe). */
    default boolean ready() {
        return true;
    }

    @Override
    default void close() {}
}
