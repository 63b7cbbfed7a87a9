package io.reflow.jobs.events;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.reflow.contracts.CapturedEvent;
import io.reflow.contracts.Json;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The quick reader builds Jackson's tree, node for node, or steps aside. */
class JsonTreeReaderTest {
    @Test
    void capturedEventsAreReadAsJacksonReadsThem() {
        for (CapturedEvent c : TestEvents.fixtureEvents()) {
            byte[] bytes = Json.encode(c);
            JsonTreeReader.Captured read = JsonTreeReader.capturedEvent(bytes);
            assertThat(read).isNotNull();
            assertThat(read.clean()).isTrue();
            assertSame(read.event(), ReadJson.decode(bytes, CapturedEvent.class));
        }
    }

    @Test
    void treesAreJacksonsNodeForNode() {
        Random random = new Random(5);
        for (int i = 0; i < 500; i++) {
            JsonNode tree = JsonRowsTest.randomTree(random, 0);
            String json = i % 3 == 0 ? " \r\n" + pretty(tree) + "\t " : ReadJson.string(tree);
            byte[] utf8 = Utf8.exact(json);
            if (utf8 == null) {
                continue; // a lone surrogate: UTF-8 cannot hold it, ReadJson.tree goes to Jackson
            }
            JsonNode quick = JsonTreeReader.tree(utf8);
            assertThat(quick).as(json).isNotNull();
            assertIdentical(quick, jackson(json));
        }
    }

    @Test
    void numbersEscapesAndRepeatedNamesAsJackson() {
        String json = "{\"a\":1,\"b\":[0,-0,-0.0,1.5e3,1E2,2147483647,2147483648,-2147483648,-2147483649,"
                + "123456789012345678,-123456789012345678,9223372036854775807,-9223372036854775808,0.1,1e-7,12.50],\"a\":{\"x\":null},\"s\":\"é 😀 \\u00e9 "
                + "\\ud83d\\ude00 \\n\\t\\\"\\\\\\/ \\b\\f\\r\\u001F\",\"t\":true,\"f\":false,\"\":\"\",\"ü\\u00fc\":1}";
        assertIdentical(JsonTreeReader.tree(json.getBytes(StandardCharsets.UTF_8)), jackson(json));
        String odd = "{\"n\":\"\\u0000\",\"s\":\"\\ud800\"}";
        byte[] event = ("{\"team_id\":2,\"event\":" + odd + "}").getBytes(StandardCharsets.UTF_8);
        JsonTreeReader.Captured read = JsonTreeReader.capturedEvent(event);
        assertThat(read.clean()).isFalse();
        assertSame(read.event(), ReadJson.decode(event, CapturedEvent.class));
    }

    @Test
    void stepsAsideForWhatItDoesNotTake() {
        List<String> trees = List.of("", " ", "{", "{\"a\":1", "{\"a\":1}x", "{\"a\":01}", "{\"a\":1.}", "{\"a\":-}",
                "{\"a\":12345678901234567890}", "{\"a\":9223372036854775808}", "{\"a\":1e999}", "{\"a\":tru}", "{\"a\":truex}", "{\"a\" 1}", "{a:1}",
                "{\"a\":\"\u0001\"}", "{\"a\":\"\\x\"}", "{\"a\":\"\\u12\"}", "[1,]", "{\"a\":1,}", "'a'", "NaN",
                "[".repeat(600) + "]".repeat(600));
        for (String json : trees) {
            assertThat(JsonTreeReader.tree(json.getBytes(StandardCharsets.UTF_8))).as(json).isNull();
        }
        for (byte[] bytes : List.of(new byte[] {'"', (byte) 0xC3, '"'}, new byte[] {'"', (byte) 0xC0, (byte) 0x80, '"'},
                new byte[] {'"', (byte) 0xED, (byte) 0xA0, (byte) 0x80, '"'}, new byte[] {'"', (byte) 0xF8, '"'},
                new byte[] {'"', (byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80, '"'})) {
            assertThat(JsonTreeReader.tree(bytes)).isNull();
        }
        for (String envelope : List.of("{\"team_id\":\"2\",\"event\":{}}", "{\"team_id\":2.0,\"event\":{}}",
                "{\"team_id\":null,\"event\":{}}", "{\"team_id\":2,\"event\":[]}", "{\"team_id\":2,\"event\":null}",
                "{\"team_id\":2,\"team_id\":3,\"event\":{}}", "{\"uuid\":1,\"event\":{}}", "{\"event\":{}} {}")) {
            assertThat(JsonTreeReader.capturedEvent(envelope.getBytes(StandardCharsets.UTF_8))).as(envelope).isNull();
        }
        assertThat(JsonTreeReader.capturedEvent("{\"x\":[1,{\"y\":2}],\"team_id\":3}".getBytes(StandardCharsets.UTF_8)).event())
                .isEqualTo(new CapturedEvent(null, null, 3, null, null, null, 0, null, null));
    }

    private static String pretty(JsonNode tree) {
        try {
            return Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(tree);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static JsonNode jackson(String json) {
        try {
            return Json.mapper().readTree(json);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static void assertSame(CapturedEvent actual, CapturedEvent expected) {
        assertThat(actual).isEqualTo(expected);
        assertIdentical(actual.event(), expected.event());
    }

    /** Equal, with the same node classes and the same field order all the way down. */
    static void assertIdentical(JsonNode actual, JsonNode expected) {
        assertThat(actual).isNotNull();
        assertThat(actual.getClass()).isEqualTo(expected.getClass());
        assertThat(actual).isEqualTo(expected);
        if (expected instanceof ObjectNode o) {
            Iterator<Map.Entry<String, JsonNode>> a = actual.fields();
            for (Iterator<Map.Entry<String, JsonNode>> e = o.fields(); e.hasNext(); ) {
                Map.Entry<String, JsonNode> x = e.next();
                Map.Entry<String, JsonNode> y = a.next();
                assertThat(y.getKey()).isEqualTo(x.getKey());
                assertIdentical(y.getValue(), x.getValue());
            }
        } else if (expected instanceof ArrayNode arr) {
            for (int i = 0; i < arr.size(); i++) {
                assertIdentical(actual.get(i), arr.get(i));
            }
        }
    }
}
