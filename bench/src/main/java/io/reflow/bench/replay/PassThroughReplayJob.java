package io.reflow.bench.replay;

import io.reflow.jobs.common.ConsumedRecord;
import io.reflow.jobs.common.DeadLetter;
import io.reflow.jobs.common.KafkaSinks;
import io.reflow.jobs.common.KeyedBytes;
import io.reflow.jobs.replay.BlockMetrics;
import io.reflow.jobs.replay.JoinEventParts;
import io.reflow.jobs.replay.ReplayJob;
import io.reflow.jobs.replay.ReplayJobConfig;
import io.reflow.jobs.replay.SessionBlockWriter;
import io.reflow.jobs.replay.SessionChunk;
import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.streaming.api.datastream.DataStreamUtils;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The floor of the replay job's cost: {@link ReplayJob} as {@link ReplayJob#fromConfig} wires it (the same Kafka source,
 * keyBy session, the join of event parts, the production {@link SessionBlockWriter} with the job's settings, the same
 * exactly-once sinks, the same uids), but with the decoder replaced by a pass-through that parses nothing: each record
 * becomes a chunk of one line, the message value as it is, for session = the record key (the session id, as capture
 * keys it) of a fixed team, timestamped with the record's timestamp. Whatever this costs per MB, any decoder comes on
 * top of it. Benchmark only: its blocks are not rrweb lines.
 */
final class PassThroughReplayJob {
    static final long TEAM_ID = 1;
    static final String PASS_THROUGH_UID = "pass-through-recordings";

    private PassThroughReplayJob() {}

    static void build(StreamExecutionEnvironment env, ReplayJobConfig config) {
        KafkaSource<ConsumedRecord> source = ReplayJob.source(config);
        String bootstrap = config.bootstrapServers();
        String prefix = config.transactionalIdPrefix();
        env.getConfig().enableObjectReuse(); // as the job
        SingleOutputStreamOperator<SessionChunk> chunks = env
                .fromSource(source, WatermarkStrategy.noWatermarks(), "recordings")
                .uid(ReplayJob.SOURCE_UID)
                .map(new PassThrough())
                .uid(PASS_THROUGH_UID)
                .name("pass through recordings");

        SingleOutputStreamOperator<SessionChunk> joined = chunks.keyBy(SessionChunk::sessionKey)
                .process(new JoinEventParts(config.maxDecompressedEventBytes(), JoinEventParts.DEFAULT_PART_TIMEOUT))
                .uid(ReplayJob.JOIN_PARTS_UID)
                .name("join parts of large events");
        joined.getSideOutput(JoinEventParts.DEAD_LETTERS)
                .map(DeadLetter::toKafka)
                .name("dead letters to kafka records")
                .sinkTo(KafkaSinks.exactlyOnce(bootstrap, config.deadLetterTopic(), prefix + "-dlq"))
                .uid(ReplayJob.DEAD_LETTER_SINK_UID)
                .name("dead-letter topic");

        SingleOutputStreamOperator<KeyedBytes> written = DataStreamUtils.reinterpretAsKeyedStream(joined, SessionChunk::sessionKey)
                .transform("write session blocks", TypeInformation.of(KeyedBytes.class), new SessionBlockWriter(config.blocks()))
                .uid(ReplayJob.WRITER_UID);
        written.sinkTo(KafkaSinks.exactlyOnce(bootstrap, config.summaryTopic(), prefix + "-summaries"))
                .uid(ReplayJob.SUMMARY_SINK_UID)
                .name("session summaries topic");
        written.getSideOutput(SessionBlockWriter.LOG_ENTRIES)
                .sinkTo(KafkaSinks.exactlyOnce(bootstrap, config.logEntriesTopic(), prefix + "-log-entries"))
                .uid(ReplayJob.LOG_ENTRIES_SINK_UID)
                .name("log entries topic");
        written.getSideOutput(SessionBlockWriter.SESSION_KEYS)
                .sinkTo(KafkaSinks.exactlyOnce(bootstrap, config.sessionKeysTopic(), prefix + "-session-keys"))
                .uid(ReplayJob.SESSION_KEYS_SINK_UID)
                .name("session keys topic");
    }

    /**
     * A record as a chunk without reading its value: one packed line ({@code [long timestamp][int length][bytes]}, the
     * writer's TimedLines format), metrics of one message with one event of the value's length.
     */
    static final class PassThrough implements MapFunction<ConsumedRecord, SessionChunk> {
        @Override
        public SessionChunk map(ConsumedRecord record) {
            byte[] value = record.value();
            long timestamp = record.timestamp();
            byte[] line = new byte[12 + value.length];
            for (int i = 0; i < 8; i++) {
                line[i] = (byte) (timestamp >>> (56 - 8 * i));
            }
            for (int i = 0; i < 4; i++) {
                line[8 + i] = (byte) (value.length >>> (24 - 8 * i));
            }
            System.arraycopy(value, 0, line, 12, value.length);
            BlockMetrics metrics = BlockMetrics.empty().withEvent(-1, -1, -1, timestamp, value.length).withMessage();
            return new SessionChunk(TEAM_ID, new String(record.key(), StandardCharsets.UTF_8), "pass-through", "web", "web", "30d",
                    timestamp, metrics, line, null, null, false);
        }
    }
}
