package io.reflow.jobs.events;

import io.reflow.jobs.common.ConsumedRecord;
import io.reflow.jobs.common.ConsumedRecordDeserializationSchema;
import io.reflow.jobs.common.DeadLetter;
import io.reflow.jobs.common.JobArguments;
import io.reflow.jobs.common.KeyedBytes;
import java.util.Map;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/**
 * Events → normalised events with their person → ClickHouse topics (events, persons, distinct ids, warnings).
 * Person state is keyed by {@code team_id:distinct_id}; merges that involve a second distinct id continue on that
 * id's key through the person-merges topic, which this job both writes (exactly once) and reads back as a second
 * source (read_committed), unioned into the keyed stream. Sources and sinks are arguments so tests can wire their
 * own; {@link #fromConfig} wires Kafka.
 */
public final class EventsJob {
    public static final String EVENTS_SOURCE_UID = "events-source";
    public static final String MERGES_SOURCE_UID = "person-merges-source";
    public static final String NORMALIZE_UID = "normalize-events";
    public static final String DECODE_MERGES_UID = "decode-person-merges";
    public static final String PERSON_STATE_UID = "person-state";
    public static final String EVENTS_SINK_UID = "events-json-sink";
    public static final String PERSON_SINK_UID = "person-sink";
    public static final String DISTINCT_ID_SINK_UID = "person-distinct-id-sink";
    public static final String WARNINGS_SINK_UID = "ingestion-warnings-sink";
    public static final String MERGES_SINK_UID = "person-merges-sink";
    public static final String DEAD_LETTER_SINK_UID = "events-dead-letter-sink";

    /**
     * Set on the job's environment by {@link #build}: the person stage reads its key's state for every event, and most
     * distinct ids it meets are new ones, with no state yet. A bloom filter in each RocksDB file answers "not here"
     * for those without searching the file's blocks (without it, such reads took a tenth of the job's CPU at a
     * million distinct ids). Files written before still read as they are.
     */
    static final Map<String, String> STATE_SETTINGS = Map.of("state.backend.rocksdb.use-bloom-filter", "true");

    private final Source<ConsumedRecord, ?, ?> events;
    private final Source<ConsumedRecord, ?, ?> merges;
    private final Sink<KeyedBytes> eventsJson;
    private final Sink<KeyedBytes> persons;
    private final Sink<KeyedBytes> distinctIds;
    private final Sink<KeyedBytes> warnings;
    private final Sink<KeyedBytes> mergesOut;
    private final Sink<KeyedBytes> deadLetters;

    /**
     * @param merges reads what {@code mergesOut} writes (the same topic), read_committed
     */
    public EventsJob(Source<ConsumedRecord, ?, ?> events, Source<ConsumedRecord, ?, ?> merges, Sink<KeyedBytes> eventsJson,
                     Sink<KeyedBytes> persons, Sink<KeyedBytes> distinctIds, Sink<KeyedBytes> warnings,
                     Sink<KeyedBytes> mergesOut, Sink<KeyedBytes> deadLetters) {
        this.events = events;
        this.merges = merges;
        this.eventsJson = eventsJson;
        this.persons = persons;
        this.distinctIds = distinctIds;
        this.warnings = warnings;
        this.mergesOut = mergesOut;
        this.deadLetters = deadLetters;
    }

    /** The production wiring: Kafka in (events and the feedback topic), exactly-once Kafka out. */
    public static EventsJob fromConfig(EventsJobConfig config) {
        String servers = config.bootstrapServers();
        String tx = config.transactionalIdPrefix();
        return new EventsJob(
                source(servers, config.eventsTopic(), config.consumerGroup()),
                source(servers, config.personMergesTopic(), config.consumerGroup() + "-merges"),
                EventsSinks.exactlyOnce(servers, config.eventsJsonTopic(), tx + "-events"),
                EventsSinks.exactlyOnce(servers, config.personTopic(), tx + "-persons"),
                EventsSinks.exactlyOnce(servers, config.personDistinctIdTopic(), tx + "-distinct-ids"),
                EventsSinks.exactlyOnce(servers, config.ingestionWarningsTopic(), tx + "-warnings"),
                EventsSinks.exactlyOnce(servers, config.personMergesTopic(), tx + "-merges"),
                EventsSinks.exactlyOnce(servers, config.deadLetterTopic(), tx + "-dlq"));
    }

    /** The job's Kafka source for {@code topic} (read_committed, from the group's committed offsets or the start). */
    public static KafkaSource<ConsumedRecord> source(String servers, String topic, String group) {
        return KafkaSource.<ConsumedRecord>builder()
                .setBootstrapServers(servers)
                .setTopics(topic)
                .setGroupId(group)
                .setStartingOffsets(OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST))
                .setDeserializer(new ConsumedRecordDeserializationSchema())
                .setProperty("isolation.level", "read_committed")
                .build();
    }

    /**
     * The execution settings the job runs with: {@link #STATE_SETTINGS}, and object reuse. No operator of this job
     * keeps or changes a record it was handed (rows are new arrays, person state lives in RocksDB), so chained operators
     * need not copy them; without it every Kafka record and every output row was copied once more on its way to the
     * next operator of its chain.
     */
    public static void configure(StreamExecutionEnvironment env) {
        env.configure(Configuration.fromMap(STATE_SETTINGS));
        env.getConfig().enableObjectReuse();
    }

    public void build(StreamExecutionEnvironment env) {
        configure(env);
        SingleOutputStreamOperator<PersonInput> normalized = env
                .fromSource(events, WatermarkStrategy.noWatermarks(), "events")
                .uid(EVENTS_SOURCE_UID)
                .process(new NormalizeEvents())
                .uid(NORMALIZE_UID)
                .name("normalize events");

        SingleOutputStreamOperator<PersonInput> feedback = env
                .fromSource(merges, WatermarkStrategy.noWatermarks(), "person merges")
                .uid(MERGES_SOURCE_UID)
                .process(new DecodePersonMessages())
                .uid(DECODE_MERGES_UID)
                .name("decode person merges");

        SingleOutputStreamOperator<KeyedBytes> enriched = normalized.union(feedback)
                .keyBy(PersonInput::key)
                .process(new PersonProcessor(), TypeInformation.of(KeyedBytes.class))
                .uid(PERSON_STATE_UID)
                .name("person state");

        // the events sink's only input: chained to the person stage, event rows never cross the network again
        enriched.sinkTo(eventsJson).uid(EVENTS_SINK_UID).name("events topic");
        enriched.getSideOutput(PersonProcessor.PERSONS)
                .sinkTo(persons).uid(PERSON_SINK_UID).name("person topic");
        enriched.getSideOutput(PersonProcessor.DISTINCT_IDS)
                .sinkTo(distinctIds).uid(DISTINCT_ID_SINK_UID).name("person distinct id topic");
        enriched.getSideOutput(PersonProcessor.WARNINGS).union(normalized.getSideOutput(NormalizeEvents.WARNINGS))
                .sinkTo(warnings).uid(WARNINGS_SINK_UID).name("ingestion warnings topic");
        enriched.getSideOutput(PersonProcessor.MERGES)
                .sinkTo(mergesOut).uid(MERGES_SINK_UID).name("person merges topic");

        DataStream<DeadLetter> dead = normalized.getSideOutput(NormalizeEvents.DEAD_LETTERS)
                .union(feedback.getSideOutput(DecodePersonMessages.DEAD_LETTERS),
                        enriched.getSideOutput(PersonProcessor.DEAD_LETTERS));
        dead.map(DeadLetter::toKafka)
                .uid("events-dead-letters-to-records")
                .name("dead letters to kafka records")
                .sinkTo(deadLetters)
                .uid(DEAD_LETTER_SINK_UID)
                .name("dead-letter topic");
    }

    public static void main(String[] args) throws Exception {
        EventsJobConfig config = EventsJobConfig.from(JobArguments.parse(args));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.enableCheckpointing(config.checkpointInterval().toMillis(), CheckpointingMode.EXACTLY_ONCE);
        fromConfig(config).build(env);
        env.execute("reflow-events");
    }
}
