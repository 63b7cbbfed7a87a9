package io.reflow.jobs.replay;

import io.reflow.contracts.Topics;
import io.reflow.jobs.common.JobArguments;
import java.net.URI;
import java.time.Duration;

/**
 * Everything the replay job needs to know to run against real Kafka and S3.
 *
 * <p>Settings (properties file or {@code --key value}): {@code kafka.bootstrap-servers} and {@code output.base}
 * (required); {@code topic.recordings}, {@code topic.session-replay-events}, {@code topic.log-entries},
 * {@code topic.dead-letter}, {@code topic.session-keys} (defaults in {@link Topics}); {@code encryption.master-key-file}
 * (else {@code REFLOW_MASTER_KEY} / {@code REFLOW_MASTER_KEY_FILE} in the task managers' environment); {@code kafka.group-id}, {@code kafka.transactional-id-prefix};
 * {@code checkpoint.interval-ms} (10 s); {@code flush.age-ms} (10 s), {@code flush.idle-ms} (5 s: a session that
 * received nothing for that long is written at the next checkpoint even if younger than the flush age),
 * {@code flush.max-buffered-bytes} (100 MB); {@code flush.heap-buffer-bytes} (8 MiB); {@code block.zstd-level} (3); {@code block.dictionary}
 * (the newest shipped zstd dictionary; {@code none} for plain zstd); {@code decode.max-event-bytes} (64 MiB:
 * what one rrweb event may decompress to when undoing posthog-js per-event compression).
 */
public record ReplayJobConfig(
        String bootstrapServers,
        String recordingsTopic,
        String summaryTopic,
        String logEntriesTopic,
        String deadLetterTopic,
        String sessionKeysTopic,
        String consumerGroup,
        String transactionalIdPrefix,
        Duration checkpointInterval,
        long maxDecompressedEventBytes,
        BlockWriterSettings blocks) {

    public static ReplayJobConfig from(JobArguments args) {
        return new ReplayJobConfig(
                args.required("kafka.bootstrap-servers"),
                args.get("topic.recordings", Topics.RECORDINGS),
                args.get("topic.session-replay-events", Topics.SESSION_REPLAY_EVENTS),
                args.get("topic.log-entries", Topics.LOG_ENTRIES),
                args.get("topic.dead-letter", Topics.DEAD_LETTER),
                args.get("topic.session-keys", Topics.SESSION_KEYS),
                args.get("kafka.group-id", "reflow-replay"),
                args.get("kafka.transactional-id-prefix", "reflow-replay"),
                Duration.ofMillis(args.getLong("checkpoint.interval-ms", 10_000)),
                args.getLong("decode.max-event-bytes", DecodeRecordings.DEFAULT_MAX_DECOMPRESSED_EVENT_BYTES),
                new BlockWriterSettings(
                        URI.create(args.required("output.base")),
                        Duration.ofMillis(args.getLong("flush.age-ms", 10_000)),
                        Duration.ofMillis(args.getLong("flush.idle-ms", 5_000)),
                        args.getLong("flush.max-buffered-bytes", 100L * 1024 * 1024),
                        (int) args.getLong("block.zstd-level", 3),
                        args.get("block.dictionary", null),
                        args.get("encryption.master-key-file", null),
                        args.getLong("flush.heap-buffer-bytes", BlockWriterSettings.DEFAULT_HEAP_BUFFER_BYTES)));
    }
}
