package io.reflow.contracts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import org.junit.jupiter.api.Test;

class RecordingBlockTest {

    @Test
    void blockRoundTripsWindowsAndEvents() throws Exception {
        JsonNode a = Json.mapper().readTree("{\"type\":4,\"timestamp\":1,\"data\":{\"href\":\"http://x/\"}}");
        JsonNode b = Json.mapper().readTree("{\"type\":3,\"timestamp\":2,\"data\":{\"source\":1,\"text\":\"é\\n\"}}");
        ByteArrayOutputStream lines = new ByteArrayOutputStream();
        lines.write(RecordingBlock.line("w1", a));
        lines.write(RecordingBlock.line("w2", b));

        byte[] block = RecordingBlock.compress(lines.toByteArray(), 3);

        assertThat(RecordingBlock.decode(block)).containsExactly(
                new RecordingBlock.Entry("w1", a), new RecordingBlock.Entry("w2", b));
    }

    @Test
    void blockUrlParsesAndPrints() {
        BlockUrl url = BlockUrl.parse("s3://bucket/a/b/c.jsonl.zst?range=bytes=10-19");

        assertThat(url).isEqualTo(new BlockUrl("s3", "bucket", "a/b/c.jsonl.zst", 10, 19));
        assertThat(url.length()).isEqualTo(10);
        assertThat(url.toString()).isEqualTo("s3://bucket/a/b/c.jsonl.zst?range=bytes=10-19");
        assertThat(BlockUrl.parse("file:///tmp/b.zst?range=bytes=0-0").key()).isEqualTo("tmp/b.zst");
        assertThatThrownBy(() -> BlockUrl.parse("http://x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new BlockUrl("s3", "b", "k", 5, 4)).isInstanceOf(IllegalArgumentException.class);
    }
}
