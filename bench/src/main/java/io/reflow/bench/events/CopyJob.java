package io.reflow.bench.events;

import io.reflow.jobs.common.ConsumedRecord;
import io.reflow.jobs.common.ConsumedRecordDeserializationSchema;
import io.reflow.jobs.common.KeyedBytes;
import io.reflow.jobs.events.EventsSinks;
import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/**
 * The baseline: consumes the events topic and produces the same records again, with the events job's Kafka source
 * (read_committed, the same deserializer) and its exactly-once sink ({@link EventsSinks}, the same producer
 * settings), at the same parallelism and checkpointing.
 * What any job reading and writing these records through Flink and Kafka costs at least.
 */
final class CopyJob {
    private CopyJob() {}

    static void build(StreamExecutionEnvironment env, String servers, String input, String output, String group,
                      String transactionalIdPrefix) {
        KafkaSource<ConsumedRecord> source = KafkaSource.<ConsumedRecord>builder()
                .setBootstrapServers(servers)
                .setTopics(input)
                .setGroupId(group)
                .setStartingOffsets(OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST))
                .setDeserializer(new ConsumedRecordDeserializationSchema())
                .setProperty("isolation.level", "read_committed")
                .build();
        env.fromSource(source, WatermarkStrategy.noWatermarks(), "events")
                .uid("copy-source")
                .map(r -> new KeyedBytes(r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8), r.value()))
                .returns(TypeInformation.of(KeyedBytes.class))
                .uid("copy-map")
                .name("re-key")
                .sinkTo(EventsSinks.exactlyOnce(servers, output, transactionalIdPrefix))
                .uid("copy-sink")
                .name("copy topic");
    }
}
