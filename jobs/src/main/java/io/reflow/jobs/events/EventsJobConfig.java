package io.reflow.jobs.events;

import io.reflow.contracts.Topics;
import io.reflow.jobs.common.JobArguments;
import java.time.Duration;

/**
 * Everything the events job needs to run against real Kafka. Each merge step waits for one checkpoint (the
 * feedback topic is transactional), so the checkpoint interval bounds how fast identify/alias merges settle.
 */
public record EventsJobConfig(
        String bootstrapServers,
        String eventsTopic,
        String eventsJsonTopic,
        String personTopic,
        String personDistinctIdTopic,
        String ingestionWarningsTopic,
        String personMergesTopic,
        String deadLetterTopic,
        String consumerGroup,
        String transactionalIdPrefix,
        Duration checkpointInterval) {

    public static EventsJobConfig from(JobArguments args) {
        return new EventsJobConfig(
                args.required("kafka.bootstrap-servers"),
                args.get("topic.events", Topics.EVENTS),
                args.get("topic.events-json", Topics.EVENTS_JSON),
                args.get("topic.person", Topics.PERSON),
                args.get("topic.person-distinct-id", Topics.PERSON_DISTINCT_ID),
                args.get("topic.ingestion-warnings", Topics.INGESTION_WARNINGS),
                args.get("topic.person-merges", Topics.PERSON_MERGES),
                args.get("topic.dead-letter", Topics.DEAD_LETTER),
                args.get("kafka.group-id", "reflow-events"),
                args.get("kafka.transactional-id-prefix", "reflow-events"),
                Duration.ofMillis(args.getLong("checkpoint.interval-ms", 5_000)));
    }
}
