package io.reflow.jobs.replay;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class TimedLinesTest {
    @Test
    void linesInOrderAreConcatenatedAsTheyCame() {
        byte[] a = new TimedLines.Builder().add(1, line("a")).add(2, line("b")).build();
        byte[] b = new TimedLines.Builder().add(2, line("c")).add(5, line("d")).build();

        assertThat(text(TimedLines.sortedConcatenation(List.of(a, b)))).isEqualTo("a\nb\nc\nd\n");
    }

    @Test
    void linesOutOfOrderAreSortedByTimestampKeepingArrivalOrderForEqualOnes() {
        byte[] a = new TimedLines.Builder().add(5, line("e")).add(1, line("a")).add(3, line("c1")).build();
        byte[] b = new TimedLines.Builder().add(3, line("c2")).add(2, line("b")).build();
        byte[] empty = new TimedLines.Builder().build();

        assertThat(text(TimedLines.sortedConcatenation(List.of(a, empty, b)))).isEqualTo("a\nb\nc1\nc2\ne\n");
        assertThat(TimedLines.sortedConcatenation(List.of())).isEmpty();
    }

    private static byte[] line(String s) {
        return (s + "\n").getBytes(StandardCharsets.UTF_8);
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
