package io.reflow.jobs.replay;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

class SessionChunkSerializerTest {
    @Test
    void flinkPicksTheSerializerAndEveryFieldSurvivesTheRoundTrip() throws Exception {
        TypeSerializer<SessionChunk> serializer = TypeInformation.of(SessionChunk.class).createSerializer(new SerializerConfigImpl());
        assertThat(serializer).isSameAs(SessionChunkSerializer.INSTANCE);
        BlockMetrics metrics = new BlockMetrics(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, "http://a/",
                new String[] {"http://a/", "http://b/é"});
        SessionChunk whole = new SessionChunk(7, "s-1", null, "web", "posthog-js", "1y", 99, metrics,
                new byte[] {1, 2, 3}, new byte[] {4}, null, true);
        SessionChunk part = new SessionChunk(7, "s-2", "d", "web", "web", "30d", 100, BlockMetrics.empty(), null, null,
                new SessionChunk.EventPart("e-1", 1, 3, new byte[] {9, 8}, "w-1", "recordings", 2, 12345L), false);

        for (SessionChunk chunk : new SessionChunk[] {whole, part}) {
            DataOutputSerializer out = new DataOutputSerializer(64);
            serializer.serialize(chunk, out);
            SessionChunk back = serializer.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
            assertThat(back).usingRecursiveComparison().isEqualTo(chunk);
            assertThat(serializer.copy(chunk)).as("immutable: not copied").isSameAs(chunk);
        }
    }
}
