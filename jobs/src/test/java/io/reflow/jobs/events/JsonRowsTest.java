package io.reflow.jobs.events;

import static org.assertj.core.api.Assertions.assertThat;

import io.reflow.contracts.EnrichedEvent;
import io.reflow.contracts.Json;
import io.reflow.contracts.PersonDistinctIdRow;
import io.reflow.contracts.PersonRow;
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

    private static String outcome(Supplier<byte[]> write) {
        try {
            return new String(write.get(), StandardCharsets.UTF_8);
        } catch (RuntimeException e) {
            return "failed: " + e.getClass().getName();
        }
    }
}
