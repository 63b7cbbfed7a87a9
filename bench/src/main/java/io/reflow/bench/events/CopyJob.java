package io.reflow.bench.events;

import io.reflow.jobs.common.ConsumedRecord;
import io.reflow.jobs.common.KeyedBytes;
import io.reflow.jobs.events.EventsJob;
import io.reflow.jobs.events.EventsSinks;
import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The baseline: consumes the events topic and produces the same records again, with the events job's Kafka source
 * (read_committed, the same deserializer) and its exactly-once sink ({@link EventsSinks}, the same producer
 * settings), at the same parallelism and checkpointing, with the job's execution settings ({@link EventsJob#configure}).
 * What any job reading and writing these records through Flink and Kafka costs at least.
 */
final class CopyJob {
    private CopyJob() {}

    static void build(StreamExecutionEnvironment env, String servers, String input, String output, String group,
                      String transactionalIdPrefix) {
        EventsJob.configure(env); // the job's settings, object reuse included: like for like
        KafkaSource<ConsumedRecord> source = EventsJob.source(servers, input, group);
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
