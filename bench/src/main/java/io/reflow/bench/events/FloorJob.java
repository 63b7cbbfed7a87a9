package io.reflow.bench.events;

import io.reflow.jobs.common.ConsumedRecord;
import io.reflow.jobs.common.KeyedBytes;
import io.reflow.jobs.events.EventsJob;
import io.reflow.jobs.events.EventsSinks;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * The floor: the cheapest job with the events job's shape, and nothing of its own code. {@link CopyJob}'s source, a
 * {@code keyBy} on the record's key ({@code token:distinct_id}), a get and a put of a RocksDB value per event, and per
 * event three rows into three exactly-once sinks ({@link EventsSinks}): the event's bytes with the person's state
 * appended (an event row ~1 KB larger than its input, as the events job's), a person row and a distinct-id row. No
 * JSON is parsed or written. What the events job costs at least, however cheap its own code.
 */
final class FloorJob {
    /** The events job's event row is ~3.5 KB for a ~2.4 KB input record: the person's properties and more columns. */
    static final int EVENT_ROW_EXTRA = 1050;
    /** A person row is the person's state and this much more (its id, team, version, …). */
    static final int PERSON_ROW_EXTRA = 70;
    static final int DISTINCT_ID_ROW = 120;
    static final OutputTag<KeyedBytes> PERSONS = new OutputTag<>("persons", TypeInformation.of(KeyedBytes.class));
    static final OutputTag<KeyedBytes> DISTINCT_IDS = new OutputTag<>("distinct-ids", TypeInformation.of(KeyedBytes.class));

    private FloorJob() {}

    /**
     * @param stateBytes the size of each key's state value (the events job's is a serialised person, properties
     *     included)
     */
    static void build(StreamExecutionEnvironment env, String servers, String input, String events, String persons,
                      String distinctIds, String group, String transactionalIdPrefix, int stateBytes) {
        EventsJob.configure(env); // the job's settings: RocksDB's bloom filter, object reuse
        KafkaSource<ConsumedRecord> source = EventsJob.source(servers, input, group);
        SingleOutputStreamOperator<KeyedBytes> rows = env.fromSource(source, WatermarkStrategy.noWatermarks(), "events")
                .uid("floor-source")
                .map(r -> new KeyedBytes(new String(r.key(), StandardCharsets.UTF_8), r.value()))
                .returns(TypeInformation.of(KeyedBytes.class))
                .uid("floor-map")
                .name("re-key")
                .keyBy(KeyedBytes::key)
                .process(new PersonState(stateBytes), TypeInformation.of(KeyedBytes.class))
                .uid("floor-person-state")
                .name("person state (floor)"); // the benchmark finds the state's vertex by "person state"
        rows.sinkTo(EventsSinks.exactlyOnce(servers, events, transactionalIdPrefix + "-events"))
                .uid("floor-events-sink")
                .name("events topic");
        rows.getSideOutput(PERSONS)
                .sinkTo(EventsSinks.exactlyOnce(servers, persons, transactionalIdPrefix + "-persons"))
                .uid("floor-person-sink")
                .name("person topic");
        rows.getSideOutput(DISTINCT_IDS)
                .sinkTo(EventsSinks.exactlyOnce(servers, distinctIds, transactionalIdPrefix + "-distinct-ids"))
                .uid("floor-distinct-id-sink")
                .name("person distinct id topic");
    }

    /** Per event: reads the key's state (created from the event's bytes if absent), bumps a counter in it, writes it back. */
    static final class PersonState extends KeyedProcessFunction<String, KeyedBytes, KeyedBytes> {
        private final int stateBytes;
        private transient ValueState<byte[]> state;

        PersonState(int stateBytes) {
            this.stateBytes = stateBytes;
        }

        @Override
        public void open(OpenContext openContext) {
            state = getRuntimeContext().getState(new ValueStateDescriptor<>("person", PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
        }

        @Override
        public void processElement(KeyedBytes in, Context ctx, Collector<KeyedBytes> out) throws Exception {
            byte[] person = state.value();
            if (person == null) {
                // the event's own bytes: the events job's person properties are mostly copies of the event's
                person = fill(stateBytes, new byte[Long.BYTES], in.value());
            }
            ByteBuffer counter = ByteBuffer.wrap(person);
            counter.putLong(0, counter.getLong(0) + 1);
            state.update(person);
            byte[] key = in.key().getBytes(StandardCharsets.UTF_8);
            out.collect(new KeyedBytes(in.key(), fill(in.value().length + EVENT_ROW_EXTRA, in.value(), person, in.value())));
            ctx.output(PERSONS, new KeyedBytes(in.key(), fill(person.length + PERSON_ROW_EXTRA, key, person, key)));
            ctx.output(DISTINCT_IDS, new KeyedBytes(in.key(), fill(DISTINCT_ID_ROW, key, person)));
        }
    }

    /** {@code length} bytes: the parts one after the other, cut at {@code length}, and again from the first if short. */
    static byte[] fill(int length, byte[]... parts) {
        byte[] row = new byte[length];
        int at = 0;
        while (at < length) {
            int before = at;
            for (byte[] p : parts) {
                int n = Math.min(p.length, length - at);
                System.arraycopy(p, 0, row, at, n);
                at += n;
            }
            if (at == before) {
                throw new IllegalArgumentException("nothing to fill " + length + " bytes with");
            }
        }
        return row;
    }
}
