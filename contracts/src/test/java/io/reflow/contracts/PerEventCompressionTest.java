package io.reflow.contracts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

class PerEventCompressionTest {
    static final long LIMIT = 1024 * 1024;

    @Test
    void aFullSnapshotsDataIsGunzippedAndCvDropped() throws Exception {
        JsonNode event = event("{\"type\":2,\"timestamp\":5,\"cv\":\"2024-10\",\"data\":" + quoted(gzip("{\"node\":{\"id\":1},\"initialOffset\":{\"top\":0}}")) + "}");

        JsonNode decoded = PerEventCompression.decode(event, LIMIT);

        assertThat(decoded).isEqualTo(event("{\"type\":2,\"timestamp\":5,\"data\":{\"node\":{\"id\":1},\"initialOffset\":{\"top\":0}}}"));
        assertThat(event.has("cv")).as("the argument is left alone").isTrue();
    }

    @Test
    void mutationAndStylesheetFieldsAreGunzippedAndOtherFieldsKept() throws Exception {
        JsonNode mutation = event("{\"type\":3,\"timestamp\":5,\"cv\":\"2024-10\",\"data\":{\"source\":0,\"texts\":" + quoted(gzip("[]"))
                + ",\"attributes\":" + quoted(gzip("[{\"id\":3,\"attributes\":{\"class\":\"é\"}}]")) + ",\"removes\":[],\"adds\":"
                + quoted(gzip("[{\"parentId\":1,\"node\":{\"type\":3,\"textContent\":\"hi ✓\",\"id\":4}}]")) + ",\"isAttachIframe\":true}}");
        JsonNode rules = event("{\"type\":3,\"timestamp\":6,\"cv\":\"2024-10\",\"data\":{\"source\":8,\"id\":9,\"adds\":"
                + quoted(gzip("[{\"rule\":\"a{}\",\"index\":0}]")) + ",\"removes\":" + quoted(gzip("[{\"index\":1}]")) + "}}");
        JsonNode mouse = event("{\"type\":3,\"timestamp\":7,\"cv\":\"2024-10\",\"data\":{\"source\":1,\"positions\":[]}}");

        assertThat(PerEventCompression.decode(mutation, LIMIT)).isEqualTo(event(
                "{\"type\":3,\"timestamp\":5,\"data\":{\"source\":0,\"texts\":[],\"attributes\":[{\"id\":3,\"attributes\":{\"class\":\"é\"}}],"
                        + "\"removes\":[],\"adds\":[{\"parentId\":1,\"node\":{\"type\":3,\"textContent\":\"hi ✓\",\"id\":4}}],\"isAttachIframe\":true}}"));
        assertThat(PerEventCompression.decode(rules, LIMIT)).isEqualTo(event(
                "{\"type\":3,\"timestamp\":6,\"data\":{\"source\":8,\"id\":9,\"adds\":[{\"rule\":\"a{}\",\"index\":0}],\"removes\":[{\"index\":1}]}}"));
        assertThat(PerEventCompression.decode(mouse, LIMIT)).isEqualTo(event("{\"type\":3,\"timestamp\":7,\"data\":{\"source\":1,\"positions\":[]}}"));
    }

    @Test
    void anEventWithoutCvIsReturnedAsItIs() throws Exception {
        JsonNode plain = event("{\"type\":2,\"timestamp\":5,\"data\":\"looks compressed but has no cv\"}");
        assertThat(PerEventCompression.decode(plain, LIMIT)).isSameAs(plain);
    }

    @Test
    void undecodableEventsSayWhy() throws Exception {
        assertReason("{\"type\":2,\"timestamp\":5,\"cv\":\"2031-01\",\"data\":\"x\"}", "unsupported_compression_version", "2031-01");
        assertReason("{\"type\":2,\"timestamp\":5,\"cv\":\"2024-10\",\"data\":\"not gzip at all\"}", "compressed_field_undecodable", "data: not gzip");
        assertReason("{\"type\":2,\"timestamp\":5,\"cv\":\"2024-10\",\"data\":\"\\u1f8b\"}", "compressed_field_undecodable", "not a byte");
        String truncated = gzip("{\"node\":{\"id\":1}}");
        assertReason("{\"type\":2,\"timestamp\":5,\"cv\":\"2024-10\",\"data\":" + quoted(truncated.substring(0, truncated.length() - 9)) + "}",
                "compressed_field_undecodable", "data: not gzip");
        assertReason("{\"type\":3,\"timestamp\":5,\"cv\":\"2024-10\",\"data\":{\"source\":0,\"adds\":" + quoted(gzip("[{\"parentId\":")) + "}}",
                "compressed_field_undecodable", "data.adds: not JSON");
        assertReason("{\"type\":3,\"timestamp\":5,\"cv\":\"2024-10\",\"data\":{\"source\":0,\"adds\":" + quoted(gzip("[] []")) + "}}",
                "compressed_field_undecodable", "data.adds: not JSON");
    }

    @Test
    void theDecompressedSizeOfAllFieldsOfAnEventIsLimited() throws Exception {
        String bomb = gzip("[\"" + "a".repeat(600_000) + "\"]");
        assertThat(bomb.length()).isLessThan(2_000);
        JsonNode one = event("{\"type\":3,\"timestamp\":5,\"cv\":\"2024-10\",\"data\":{\"source\":0,\"adds\":" + quoted(bomb) + "}}");
        JsonNode two = event("{\"type\":3,\"timestamp\":5,\"cv\":\"2024-10\",\"data\":{\"source\":0,\"adds\":" + quoted(bomb)
                + ",\"texts\":" + quoted(bomb) + "}}");

        assertThat(PerEventCompression.decode(one, LIMIT).path("data").path("adds").get(0).asText()).hasSize(600_000);
        assertThatThrownBy(() -> PerEventCompression.decode(two, LIMIT))
                .isInstanceOfSatisfying(PerEventCompression.UndecodableEvent.class,
                        e -> assertThat(e.reason()).isEqualTo("compressed_event_too_large"))
                .hasMessageContaining("more than the limit of 1048576 bytes");
    }

    private static void assertReason(String json, String reason, String detail) {
        assertThatThrownBy(() -> PerEventCompression.decode(event(json), LIMIT))
                .isInstanceOfSatisfying(PerEventCompression.UndecodableEvent.class, e -> assertThat(e.reason()).isEqualTo(reason))
                .hasMessageContaining(detail);
    }

    /** As posthog-js does it: gzip of the UTF-8 JSON, each byte one char. */
    static String gzip(String json) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
            out.write(json.getBytes(StandardCharsets.UTF_8));
        }
        return new String(bytes.toByteArray(), StandardCharsets.ISO_8859_1);
    }

    private static String quoted(String s) {
        return Json.mapper().getNodeFactory().textNode(s).toString();
    }

    private static ObjectNode event(String json) throws IOException {
        return (ObjectNode) Json.mapper().readTree(json);
    }
}
