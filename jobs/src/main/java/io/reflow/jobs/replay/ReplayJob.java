package io.reflow.jobs.replay;

import io.reflow.jobs.common.ConsumedRecord;
import io.reflow.jobs.common.ConsumedRecordDeserializationSchema;
import io.reflow.jobs.common.DeadLetter;
import io.reflow.jobs.common.JobArguments;
import io.reflow.jobs.common.KafkaSinks;
import io.reflow.jobs.common.KeyedBytes;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.datastream.DataStreamUtils;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/**
 * Recordings → per-session blocks in batch files on S3 → one summary row per committed block, and the
 * block's console lines as log entries. Sources and sinks are arguments so tests can wire their own;
 * {@link #fromConfig} wires Kafka. Summary rows and log entries leave the block writer before the
 * barrier of the checkpoint that commits their file, into two exactly-once Kafka sinks; so do the wrapped data keys
 * of encrypted sessions, into a third.
 */
public final class ReplayJob {
    public static final String SOURCE_UID = "recordings-source";
    public static final String DECODE_UID = "decode-recordings";
    public static final String JOIN_PARTS_UID = "join-event-parts";
    public static final String WRITER_UID = "session-block-writer";
    public static final String SUMMARY_SINK_UID = "summary-sink";
    public static final String LOG_ENTRIES_SINK_UID = "log-entries-sink";
    public static final String DEAD_LETTER_SINK_UID = "replay-dead-letter-sink";
    public static final String SESSION_KEYS_SINK_UID = "session-keys-sink";

    private final Source<ConsumedRecord, ?, ?> recordings;
    private final Sink<KeyedBytes> summaries;
    private final Sink<KeyedBytes> logEntries;
    private final Sink<KeyedBytes> deadLetters;
    private final Sink<KeyedBytes> sessionKeys;
    private final BlockWriterSettings blocks;
    private final long maxDecompressedEventBytes;

    public ReplayJob(Source<ConsumedRecord, ?, ?> recordings, Sink<KeyedBytes> summaries, Sink<KeyedBytes> logEntries,
                     Sink<KeyedBytes> deadLetters, BlockWriterSettings blocks, long maxDecompressedEventBytes) {
        this(recordings, summaries, logEntries, deadLetters, null, blocks, maxDecompressedEventBytes);
    }

    /** {@code sessionKeys}: where wrapped data keys of encrypted sessions go (null: nowhere, for jobs without encryption). */
    public ReplayJob(Source<ConsumedRecord, ?, ?> recordings, Sink<KeyedBytes> summaries, Sink<KeyedBytes> logEntries,
                     Sink<KeyedBytes> deadLetters, Sink<KeyedBytes> sessionKeys, BlockWriterSettings blocks,
                     long maxDecompressedEventBytes) {
        this.sessionKeys = sessionKeys;
        this.recordings = recordings;
        this.summaries = summaries;
        this.logEntries = logEntries;
        this.deadLetters = deadLetters;
        this.blocks = blocks;
        this.maxDecompressedEventBytes = maxDecompressedEventBytes;
    }

    /** The production wiring: Kafka in, S3 batch files, exactly-once Kafka out. */
    public static ReplayJob fromConfig(ReplayJobConfig config) {
        return new ReplayJob(source(config),
                KafkaSinks.exactlyOnce(config.bootstrapServers(), config.summaryTopic(), config.transactionalIdPrefix() + "-summaries"),
                KafkaSinks.exactlyOnce(config.bootstrapServers(), config.logEntriesTopic(), config.transactionalIdPrefix() + "-log-entries"),
                KafkaSinks.exactlyOnce(config.bootstrapServers(), config.deadLetterTopic(), config.transactionalIdPrefix() + "-dlq"),
                KafkaSinks.exactlyOnce(config.bootstrapServers(), config.sessionKeysTopic(), config.transactionalIdPrefix() + "-session-keys"),
                config.blocks(), config.maxDecompressedEventBytes());
    }

    /** The job's Kafka source: the recordings topic, read_committed, from the group's committed offsets or the start. */
    public static KafkaSource<ConsumedRecord> source(ReplayJobConfig config) {
        return KafkaSource.<ConsumedRecord>builder()
                .setBootstrapServers(config.bootstrapServers())
                .setTopics(config.recordingsTopic())
                .setGroupId(config.consumerGroup())
                .setStartingOffsets(OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST))
                .setDeserializer(new ConsumedRecordDeserializationSchema())
                .setProperty("isolation.level", "read_committed")
                .build();
    }

    public void build(StreamExecutionEnvironment env) {
        // no operator of this job keeps or changes a record it was handed, so chained operators need not copy them:
        // without this every Kafka record (and its bytes) was copied on its way from the source to the decoder
        env.getConfig().enableObjectReuse();
        SingleOutputStreamOperator<SessionChunk> chunks = env
                .fromSource(recordings, WatermarkStrategy.noWatermarks(), "recordings")
                .uid(SOURCE_UID)
                .process(new DecodeRecordings(maxDecompressedEventBytes))
                .uid(DECODE_UID)
                .name("decode recordings");

        SingleOutputStreamOperator<SessionChunk> joined = chunks.keyBy(SessionChunk::sessionKey)
                .process(new JoinEventParts(maxDecompressedEventBytes, JoinEventParts.DEFAULT_PART_TIMEOUT))
                .uid(JOIN_PARTS_UID)
                .name("join parts of large events");

        chunks.getSideOutput(DecodeRecordings.DEAD_LETTERS)
                .union(joined.getSideOutput(JoinEventParts.DEAD_LETTERS))
                .map(DeadLetter::toKafka)
                .name("dead letters to kafka records")
                .sinkTo(deadLetters)
                .uid(DEAD_LETTER_SINK_UID)
                .name("dead-letter topic");

        // same key as the join, so no second shuffle: the writer is chained behind it
        SingleOutputStreamOperator<KeyedBytes> written = DataStreamUtils.reinterpretAsKeyedStream(joined, SessionChunk::sessionKey)
                .transform("write session blocks", TypeInformation.of(KeyedBytes.class), new SessionBlockWriter(blocks))
                .uid(WRITER_UID);
        written.sinkTo(summaries)
                .uid(SUMMARY_SINK_UID)
                .name("session summaries topic");
        written.getSideOutput(SessionBlockWriter.LOG_ENTRIES)
                .sinkTo(logEntries)
                .uid(LOG_ENTRIES_SINK_UID)
                .name("log entries topic");
        if (sessionKeys != null) {
            written.getSideOutput(SessionBlockWriter.SESSION_KEYS)
                    .sinkTo(sessionKeys)
                    .uid(SESSION_KEYS_SINK_UID)
                    .name("session keys topic");
        }
    }

    public static void main(String[] args) throws Exception {
        ReplayJobConfig config = ReplayJobConfig.from(JobArguments.parse(args));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.enableCheckpointing(config.checkpointInterval().toMillis(), CheckpointingMode.EXACTLY_ONCE);
        fromConfig(config).build(env);
        env.execute("reflow-replay");
    }
}
