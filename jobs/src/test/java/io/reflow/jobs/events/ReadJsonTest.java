package io.reflow.jobs.events;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.reflow.contracts.CapturedEvent;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Decoding through a String reads what the bytes hold, malformed UTF-8 as reading the bytes did. */
class ReadJsonTest {
    @Test
    void textIncludingAnEscapedOrLiteralReplacementCharReadsAsItIs() {
        String json = "{\"uuid\":\"u\",\"distinct_id\":\"é 😀 \uFFFD\",\"team_id\":2,\"event\":{\"event\":\"x\\u00e9\"}}";
        CapturedEvent c = ReadJson.decode(json.getBytes(StandardCharsets.UTF_8), CapturedEvent.class);
        assertThat(c.distinctId()).isEqualTo("é 😀 \uFFFD");
        assertThat(c.event().get("event").asText()).isEqualTo("xé");
    }

    @Test
    void malformedUtf8ReadsAsReplacementCharsAsJacksonReadingTheBytesDoes() throws Exception {
        byte[] bytes = "{\"uuid\":\"u\",\"distinct_id\":\"ab\",\"team_id\":2}".getBytes(StandardCharsets.UTF_8);
        bytes[27] = (byte) 0xFF; // the "a" of "ab"
        assertThat(ReadJson.decode(bytes, CapturedEvent.class).distinctId()).isEqualTo("\uFFFDb")
                .isEqualTo(new ObjectMapper(JsonFactory.builder().disable(JsonFactory.Feature.CANONICALIZE_FIELD_NAMES).build())
                        .readValue(bytes, CapturedEvent.class).distinctId());
    }
}
