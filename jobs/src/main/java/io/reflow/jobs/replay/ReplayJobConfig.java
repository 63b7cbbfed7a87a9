package io.reflow.jobs.replay;

import io.reflow.contracts.Topics;
import io.reflow.jobs.common.JobArguments;
import java.net.URI;
import java.time.Duration;

/** Everything the replay job needs to know to run against real Kafka and S3. */
public record ReplayJobConfig(
        String bootstrapServers,
        String recordingsTopic,
        String summaryTopic,
        String deadLetterTopic,
        String consumerGroup,
        String transactionalIdPrefix,
        Duration checkpointInterval,
        BlockWriterSettings blocks) {

    public static ReplayJobConfig from(JobArguments args) {
        return new ReplayJobConfig(
                args.required("kafka.bootstrap-servers"),
                args.get("topic.recordings", Topics.RECORDINGS),
                args.get("topic.session-replay-events", Topics.SESSION_REPLAY_EVENTS),
                args.get("topic.dead-letter", Topics.DEAD_LETTER),
                args.get("kafka.group-id", "reflow-replay"),
                args.get("kafka.transactional-id-prefix", "reflow-replay"),
                Duration.ofMillis(args.getLong("checkpoint.interval-ms", 10_000)),
                new BlockWriterSettings(
                        URI.create(args.required("output.base")),
                        Duration.ofMillis(args.getLong("flush.age-ms", 10_000)),
                        args.getLong("flush.max-buffered-bytes", 100L * 1024 * 1024),
                        (int) args.getLong("block.zstd-level", 3)));
    }
}
