package io.reflow.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.reflow.contracts.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The decompressor against output of the real lz-string 1.5.0 ({@code compressToBase64}, the npm package
 * old posthog-js bundles), generated once with node into {@code src/test/resources/lz64/}: real legacy
 * request bodies, 16-bit literals and surrogate pairs, long repetitions, and a 64 MiB "bomb".
 */
class Lz64Test {
    record Vector(String name, String text, String lz64) {
        @Override
        public String toString() {
            return name;
        }
    }

    static List<Vector> vectors() {
        JsonNode all = Json.decode(resource("vectors.json"), JsonNode.class);
        List<Vector> vectors = new ArrayList<>();
        all.forEach(v -> vectors.add(new Vector(v.get("name").asText(), v.get("text").asText(), v.get("lz64").asText())));
        return vectors;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("vectors")
    void decodesWhatLzStringCompressed(Vector v) {
        assertThat(new String(Lz64.decode(v.lz64(), 1 << 20), StandardCharsets.UTF_8)).isEqualTo(v.text());
    }

    @Test
    void theVectorsCoverTheInterestingParts() {
        List<Vector> all = vectors();
        assertThat(all).anyMatch(v -> v.text().codePoints().anyMatch(c -> c > 0xffff)); // surrogate pairs
        assertThat(all).anyMatch(v -> v.text().chars().anyMatch(c -> c > 0xff));        // 16-bit literals
        assertThat(all).anyMatch(v -> v.text().length() > 10_000);                      // wide codes
    }

    @Test
    void aBombIsRefusedOnceTheOutputPassesTheLimit() {
        String bomb = new String(resource("bomb-64MiB.txt"), StandardCharsets.US_ASCII).strip();
        assertThat(bomb.length()).isLessThan(30_000);
        assertThatThrownBy(() -> Lz64.decode(bomb, 2 * 1024 * 1024))
                .isInstanceOfSatisfying(CaptureException.class, e -> assertThat(e.status()).isEqualTo(413));
        Vector v = vectors().get(0);
        assertThatThrownBy(() -> Lz64.decode(v.lz64(), v.text().length() - 1))
                .isInstanceOfSatisfying(CaptureException.class, e -> assertThat(e.code()).isEqualTo("payload_too_large"));
    }

    @Test
    void garbageIsAClientError() {
        Vector v = vectors().get(0);
        for (String bad : List.of("", "!!!!", "ümlaut", v.lz64().substring(0, v.lz64().length() / 2), "////////////", "A")) {
            assertThatThrownBy(() -> Lz64.decode(bad, 1 << 20)).as(bad)
                    .isInstanceOfSatisfying(CaptureException.class, e -> {
                        assertThat(e.status()).isEqualTo(400);
                        assertThat(e.code()).isEqualTo("invalid_lz64");
                    });
        }
    }

    @Test
    void aFormBodyWithUnencodedPlusSignsDecodes() {
        Vector v = vectors().stream().filter(x -> x.lz64().contains("+")).findFirst().orElseThrow();
        byte[] form = ("data=" + v.lz64()).getBytes(StandardCharsets.US_ASCII); // '+' not URL-encoded: arrives as ' '
        Request request = new Request("POST", "/e/", Map.of("compression", List.of("lz64")),
                Map.of("content-type", "application/x-www-form-urlencoded"), form, "127.0.0.1", 0);
        assertThat(new String(BodyDecoder.decode(request, 1 << 20), StandardCharsets.UTF_8)).isEqualTo(v.text());
    }

    static byte[] resource(String name) {
        try (InputStream in = Lz64Test.class.getResourceAsStream("/lz64/" + name)) {
            if (in == null) {
                throw new IllegalStateException("no test resource lz64/" + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
