package io.reflow.jobs.events;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.reflow.contracts.CapturedEvent;
import io.reflow.contracts.EnrichedEvent;
import io.reflow.contracts.Json;
import io.reflow.contracts.PersonDistinctIdRow;
import io.reflow.contracts.PersonRow;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** The hand-written rows are Jackson's, byte for byte, whatever the strings hold. */
class JsonRowsTest {
    static final List<String> ODD = List.of("", "plain", "quote \" and backslash \\ and slash /",
            "controls \u0000\u0001\b\t\n\u000b\f\r\u001f\u007f end", "é ü ß 中文 \u2028\u2029 😀 pair",
            "{\"a\":\"b\\\"c\",\"n\":[1,2.5,null,true],\"u\":\"\\u0000 é\"}", "lone \ud800 high", "lone \udc00 low",
            "trailing high \ud83d");

    @Test
    void enrichedEventsArePersonRowsAndDistinctIdRowsAsJacksonWritesThem() {
        List<String> strings = new ArrayList<>(ODD);
        strings.add(null);
        Random random = new Random(7);
        for (int i = 0; i < 200; i++) {
            StringBuilder b = new StringBuilder();
            int n = random.nextInt(300);
            for (int j = 0; j < n; j++) {
                int kind = random.nextInt(10);
                b.append(kind < 6 ? (char) (0x20 + random.nextInt(0x60)) : kind < 8 ? (char) random.nextInt(0x20)
                        : kind < 9 ? (char) (0x80 + random.nextInt(0x800)) : "😀");
            }
            strings.add(b.toString());
        }
        for (int i = 0; i < strings.size(); i++) {
            String s = strings.get(i);
            String t = strings.get((i * 7 + 3) % strings.size());
            EnrichedEvent e = new EnrichedEvent(s, t, s, -i, i, t, s, Long.MAX_VALUE, t, s, t, Long.MIN_VALUE, s);
            assertThat(outcome(() -> JsonRows.event(e))).isEqualTo(outcome(() -> Json.encode(e)));
            PersonRow p = new PersonRow(s, i, t, 1, 1234567890123L, i * 1000L, 0);
            assertThat(outcome(() -> JsonRows.person(p))).isEqualTo(outcome(() -> Json.encode(p)));
            PersonDistinctIdRow d = new PersonDistinctIdRow(i, s, t, i, 1);
            assertThat(outcome(() -> JsonRows.distinctId(d))).isEqualTo(outcome(() -> Json.encode(d)));
        }
    }

    @Test
    void aTreeIsWrittenAsJacksonWritesItAndAsTheLiteralOfThat() {
        Random random = new Random(11);
        List<JsonNode> trees = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            trees.add(randomTree(random, 0));
        }
        for (CapturedEvent c : TestEvents.fixtureEvents()) {
            trees.add(c.event());
            trees.add(c.event().get("properties"));
        }
        ObjectNode numbers = JsonNodeFactory.instance.objectNode();
        numbers.put("nan", Double.NaN).put("inf", Double.NEGATIVE_INFINITY).put("neg0", -0.0).put("tiny", 4.9e-324)
                .put("big", 1.0e300).put("float", 1.1f).put("short", (short) 7).put("dec", new BigDecimal("1.50"))
                .put("bigint", new BigInteger("123456789012345678901234567890")).put("long", Long.MIN_VALUE)
                .put("bin", new byte[] {1, 2, 3}).putPOJO("pojo", List.of("a", 1));
        numbers.set("parsed", TestEvents.tree("{\"a\":1.0,\"b\":1e5,\"c\":-12345678901234567890,\"d\":0.1}"));
        trees.add(numbers);
        for (JsonNode tree : trees) {
            assertThat(JsonRows.text(tree)).isEqualTo(ReadJson.string(tree));
            byte[] expected = JsonRows.literal(ReadJson.string(tree));
            assertThat(new String(JsonRows.literal(tree), StandardCharsets.ISO_8859_1))
                    .isEqualTo(new String(expected, StandardCharsets.ISO_8859_1));
            if (tree instanceof ObjectNode object) {
                JsonDocument document = JsonDocument.of(object);
                assertThat(document.text()).isEqualTo(ReadJson.string(tree));
                assertThat(JsonDocument.of(document.text())).isEqualTo(document);
            }
        }
    }

    static JsonNode randomTree(Random random, int depth) {
        int kind = depth > 3 ? 2 + random.nextInt(6) : random.nextInt(8);
        return switch (kind) {
            case 0 -> {
                ObjectNode o = JsonNodeFactory.instance.objectNode();
                for (int i = random.nextInt(6); i > 0; i--) {
                    o.set(randomString(random), randomTree(random, depth + 1));
                }
                yield o;
            }
            case 1 -> {
                ArrayNode a = JsonNodeFactory.instance.arrayNode();
                for (int i = random.nextInt(4); i > 0; i--) {
                    a.add(randomTree(random, depth + 1));
                }
                yield a;
            }
            case 2, 3 -> TextNode.valueOf(randomString(random));
            case 4 -> IntNode.valueOf(random.nextInt());
            case 5 -> LongNode.valueOf(random.nextLong());
            case 6 -> DoubleNode.valueOf(random.nextBoolean() ? random.nextDouble() : random.nextGaussian() * 1e20);
            default -> random.nextBoolean() ? BooleanNode.valueOf(random.nextBoolean()) : NullNode.instance;
        };
    }

    private static String randomString(Random random) {
        if (random.nextInt(4) == 0) {
            return ODD.get(random.nextInt(ODD.size()));
        }
        StringBuilder b = new StringBuilder();
        for (int j = random.nextInt(40); j > 0; j--) {
            int kind = random.nextInt(10);
            b.append(kind < 6 ? (char) (0x20 + random.nextInt(0x60)) : kind < 8 ? (char) random.nextInt(0x20)
                    : kind < 9 ? (char) (0x80 + random.nextInt(0xFF80)) : "😀");
        }
        return b.toString();
    }

    private static String outcome(Supplier<byte[]> write) {
        try {
            return new String(write.get(), StandardCharsets.UTF_8);
        } catch (RuntimeException e) {
            return "failed: " + e.getClass().getName();
        }
    }
}
