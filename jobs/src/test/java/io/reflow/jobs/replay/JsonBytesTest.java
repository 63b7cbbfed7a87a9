package io.reflow.jobs.replay;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link JsonBytes#latin1String}, the one-pass read of a posthog-js gzip string, against the two passes it replaces
 * ({@link JsonBytes#skipString} then {@link JsonBytes#latin1}) on random strings made of what such strings hold and of
 * what they must not: the same end and the same bytes when both passes accept, {@link JsonBytes#FAIL} otherwise.
 */
class JsonBytesTest {
    private static final String[] PIECES = {
        "a", "Z", "0", " ", "{", "}", "[", "]", ":", ",", "\\\"", "\\\\", "\\/", "\\b", "\\f", "\\n", "\\r", "\\t",
        "\\u0000", "\\u001f", "\\u00e9", "\\u00FF", "\\u0100", "\\ud83d", "\\uZZZZ", "\\u12", "\\x", "\\",
        "\u0080", "\u00e9", "\u00ff", "\u0100", "\u20ac", "\ud83d\ude00", "\u0001", "\n", "\"",
    };

    @Test
    void readsWhatTheTwoPassesReadInOnePass() {
        Random random = new Random(42);
        int accepted = 0;
        for (int run = 0; run < 50_000; run++) {
            byte[] b = randomString(random);
            int end = b.length;
            GrowableBytes out = new GrowableBytes();
            out.write(new byte[] {7, 7, 7}); // what an earlier field left there stays
            int onePass = JsonBytes.latin1String(b, 0, end, out);
            int skipped = JsonBytes.skipString(b, 0, end);
            String[] problem = new String[1];
            byte[] twoPasses = skipped == JsonBytes.FAIL ? null : JsonBytes.latin1(b, 0, skipped, "p", problem);
            String shown = new String(b, StandardCharsets.UTF_8);
            if (twoPasses == null) {
                assertThat(onePass).as(shown).isEqualTo(JsonBytes.FAIL);
            } else {
                accepted++;
                assertThat(onePass).as(shown).isEqualTo(skipped);
                assertThat(Arrays.copyOfRange(out.array(), 0, 3)).isEqualTo(new byte[] {7, 7, 7});
                assertThat(Arrays.copyOfRange(out.array(), 3, out.size())).as(shown).isEqualTo(twoPasses);
            }
        }
        assertThat(accepted).as("both kinds of strings were tried").isBetween(5_000, 45_000);
    }

    @Test
    void readsAStringLongerThanItsFirstBuffer() {
        StringBuilder s = new StringBuilder("\"");
        for (int i = 0; i < 200_000; i++) {
            s.append(i % 3 == 0 ? "\\u001f" : i % 3 == 1 ? "\u00e9" : "x");
        }
        byte[] b = s.append("\"tail").toString().getBytes(StandardCharsets.UTF_8);
        GrowableBytes out = new GrowableBytes();
        int end = JsonBytes.latin1String(b, 0, b.length, out);
        assertThat(end).isEqualTo(b.length - 4);
        assertThat(Arrays.copyOf(out.array(), out.size())).isEqualTo(JsonBytes.latin1(b, 0, end, "p", new String[1]));
    }

    private static byte[] randomString(Random random) {
        ByteArrayOutputStream s = new ByteArrayOutputStream();
        s.writeBytes("\"".getBytes(StandardCharsets.UTF_8));
        int pieces = random.nextInt(12);
        for (int i = 0; i < pieces; i++) {
            // mostly what a gzip string holds; now and then something it must not
            String piece = random.nextInt(4) == 0 ? PIECES[random.nextInt(PIECES.length)]
                    : PIECES[random.nextInt(4)] + PIECES[18 + random.nextInt(3)] + PIECES[28 + random.nextInt(3)];
            s.writeBytes(piece.getBytes(StandardCharsets.UTF_8));
        }
        if (random.nextInt(10) > 0) {
            s.writeBytes("\"".getBytes(StandardCharsets.UTF_8));
        }
        if (random.nextBoolean()) {
            s.writeBytes(",1]".getBytes(StandardCharsets.UTF_8));
        }
        byte[] b = s.toByteArray();
        if (random.nextInt(20) == 0 && b.length > 2) {
            b = Arrays.copyOf(b, b.length - 1 - random.nextInt(2)); // cut inside a character or an escape
        }
        return b;
    }
}
