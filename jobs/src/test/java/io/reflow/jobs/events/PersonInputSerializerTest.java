package io.reflow.jobs.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/** What crosses the person stage's keyBy comes out as it went in, odd strings and nulls included. */
class PersonInputSerializerTest {
    static final PersonInputSerializer SERIALIZER = PersonInputSerializer.INSTANCE;

    @Test
    void eventsAndMessagesRoundTripOneAfterTheOther() throws Exception {
        List<PersonInput> inputs = List.of(
                PersonInput.event(new NormalizedEvent("u-1", "$pageview", 2, "user é 😀", 1_000L, 2_000L,
                        "{\"$current_url\":\"https://x/?a=1\",\"q\":\"\\\"\"}", "a:href=\\\"x\\\"", "s", true,
                        "anon", "{\"a\":1}", "{\"b\":2}", "[\"c\"]"), "events", 3, 42L),
                PersonInput.event(new NormalizedEvent("u-2", "lone \ud800 surrogate?", 2, "d", -1L, 0L, "{}", "", "",
                        false, null, null, null, null), null, 0, 0L),
                PersonInput.message("2:target", "{\"type\":\"JOIN\"}".getBytes(StandardCharsets.UTF_8), "merges", 1, 7L),
                PersonInput.message("2:empty", new byte[0], "merges", 0, 8L));
        DataOutputSerializer out = new DataOutputSerializer(64);
        for (PersonInput in : inputs) {
            SERIALIZER.serialize(in, out);
        }
        DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());
        for (PersonInput expected : inputs) {
            PersonInput actual = SERIALIZER.deserialize(in);
            assertThat(actual.event()).isEqualTo(expected.event());
            assertThat(actual.message()).isEqualTo(expected.message());
            assertThat(actual).usingRecursiveComparison().isEqualTo(expected);
        }
        assertThat(in.available()).isZero();
    }

    @Test
    void itsSnapshotRestoresItself() throws Exception {
        TypeSerializerSnapshot<PersonInput> snapshot = SERIALIZER.snapshotConfiguration();
        DataOutputSerializer out = new DataOutputSerializer(64);
        snapshot.writeSnapshot(out);
        TypeSerializerSnapshot<PersonInput> read = new PersonInputSerializer.Snapshot();
        read.readSnapshot(snapshot.getCurrentVersion(), new DataInputDeserializer(out.getCopyOfBuffer()),
                getClass().getClassLoader());
        TypeSerializer<PersonInput> restored = read.restoreSerializer();
        assertThat(restored).isSameAs(SERIALIZER);
        assertThat(read.resolveSchemaCompatibility(snapshot).isCompatibleAsIs()).isTrue();
    }
}
