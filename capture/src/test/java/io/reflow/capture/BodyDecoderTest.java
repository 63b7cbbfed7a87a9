package io.reflow.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reflow.contracts.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class BodyDecoderTest {
    private static final int LIMIT = 25 * 1024 * 1024;

    static List<Fixture> fixtures() {
        return Fixture.all();
    }

    @Test
    void theFixturesCoverEveryEncoding() {
        List<Fixture> all = Fixture.all();
        assertThat(all).hasSizeGreaterThanOrEqualTo(20);
        assertThat(all).anyMatch(f -> BodyDecoder.isGzip(f.raw()) && f.query().isEmpty());          // current SDK
        assertThat(all).anyMatch(f -> BodyDecoder.isGzip(f.raw()) && "gzip-js".equals(f.query().get("compression")));
        assertThat(all).anyMatch(f -> "base64".equals(f.query().get("compression")));               // beacons, legacy decide
        assertThat(all).anyMatch(f -> "application/json".equals(f.headers().get("content-type")));  // no compression
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void everyRecordedBodyDecodesToTheJsonTheClientSent(Fixture f) throws IOException {
        byte[] json = BodyDecoder.decode(f.toRequest(), LIMIT);
        assertThat(Json.mapper().readTree(json)).isEqualTo(f.body());
    }

    @Test
    void theLimitAppliesToTheDecodedSizeOfEveryEncoding() throws IOException {
        byte[] json = ("[" + "1,".repeat(1000) + "1]").getBytes(StandardCharsets.UTF_8);
        assertThat(BodyDecoder.decode(request(json, Map.of()), json.length)).isEqualTo(json);
        assertThatThrownBy(() -> BodyDecoder.decode(request(json, Map.of()), json.length - 1)).hasMessageContaining("limit");
        assertThatThrownBy(() -> BodyDecoder.decode(request(gzip(json), Map.of()), json.length - 1)).hasMessageContaining("limit");
        byte[] form = ("data=" + Base64.getEncoder().encodeToString(json)).getBytes(StandardCharsets.US_ASCII);
        assertThatThrownBy(() -> BodyDecoder.decode(request(form, Map.of()), json.length - 1)).hasMessageContaining("limit");
    }

    @Test
    void formBodiesAcceptUnencodedPlusSignsUrlSafeBase64AndGzip() throws IOException {
        String json = "{\"event\":\"e>>?\",\"properties\":{\"token\":\"t\",\"x\":\"~~~???>>>\"}}";
        String b64 = Base64.getEncoder().encodeToString(json.getBytes(StandardCharsets.UTF_8));
        assertThat(b64).contains("+").contains("/");
        byte[] raw = ("data=" + b64 + "&other=1").getBytes(StandardCharsets.US_ASCII); // '+' not URL-encoded: arrives as ' '
        assertThat(new String(BodyDecoder.decode(request(raw, Map.of()), LIMIT), StandardCharsets.UTF_8)).isEqualTo(json);

        String urlSafe = Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
        assertThat(new String(BodyDecoder.decode(request(("data=" + urlSafe).getBytes(StandardCharsets.US_ASCII), Map.of()), LIMIT),
                StandardCharsets.UTF_8)).isEqualTo(json);

        String gz = Base64.getEncoder().encodeToString(gzip(json.getBytes(StandardCharsets.UTF_8)));
        byte[] gzForm = ("data=" + java.net.URLEncoder.encode(gz, StandardCharsets.US_ASCII)).getBytes(StandardCharsets.US_ASCII);
        assertThat(new String(BodyDecoder.decode(request(gzForm, Map.of()), LIMIT), StandardCharsets.UTF_8)).isEqualTo(json);
    }

    @Test
    void gzipIsRecognisedWithOrWithoutHeadersAndParameters() throws IOException {
        byte[] json = "[{\"event\":\"x\"}]".getBytes(StandardCharsets.UTF_8);
        byte[] gz = gzip(json);
        assertThat(BodyDecoder.decode(request(gz, Map.of()), LIMIT)).isEqualTo(json);
        assertThat(BodyDecoder.decode(request(gz, Map.of("content-encoding", "gzip")), LIMIT)).isEqualTo(json);
        // curl and some proxies label any body a form
        assertThat(BodyDecoder.decode(request(gz, Map.of("content-type", "application/x-www-form-urlencoded")), LIMIT)).isEqualTo(json);
        assertThat(BodyDecoder.decode(new Request("POST", "/e/", Map.of("compression", List.of("gzip-js")),
                Map.of("content-type", "text/plain"), gz, "127.0.0.1", 0), LIMIT)).isEqualTo(json);
    }

    @Test
    void brokenBodiesAreClientErrors() throws IOException {
        byte[] truncated = java.util.Arrays.copyOf(gzip(new byte[10_000]), 20);
        assertError(request(truncated, Map.of()), 400, "invalid_gzip");
        assertError(request("{}".getBytes(StandardCharsets.UTF_8), Map.of("content-encoding", "gzip")), 400, "invalid_gzip");
        assertError(request("{}".getBytes(StandardCharsets.UTF_8), Map.of("content-encoding", "br")), 415, "unsupported_encoding");
        assertError(request("data=%%%".getBytes(StandardCharsets.US_ASCII), Map.of()), 400, "invalid_payload");
        assertError(request("data=a".getBytes(StandardCharsets.US_ASCII), Map.of()), 400, "invalid_payload");
        assertError(request(new byte[0], Map.of()), 400, "empty_body");
        assertError(new Request("POST", "/e/", Map.of("compression", List.of("lz64")), Map.of(),
                "data=x!".getBytes(StandardCharsets.US_ASCII), "127.0.0.1", 0), 400, "invalid_lz64");
        assertError(new Request("GET", "/e/", Map.of("data", List.of("%%%")), Map.of(), new byte[0], "127.0.0.1", 0),
                400, "invalid_payload");
    }

    @Test
    void aPixelRequestCarriesItsBodyInTheDataParameter() {
        String json = "{\"event\":\"$pageview\",\"properties\":{\"token\":\"t\",\"distinct_id\":\"d\"}}";
        String b64 = Base64.getEncoder().encodeToString(json.getBytes(StandardCharsets.UTF_8)).replace('+', ' ');
        Request pixel = new Request("GET", "/e/", Map.of("data", List.of(b64), "ip", List.of("1")), Map.of(), new byte[0],
                "127.0.0.1", 0);
        assertThat(new String(BodyDecoder.decode(pixel, LIMIT), StandardCharsets.UTF_8)).isEqualTo(json);

        Lz64Test.Vector v = Lz64Test.vectors().get(0);
        Request lz = new Request("GET", "/e/", Map.of("data", List.of(v.lz64()), "compression", List.of("lz64")), Map.of(),
                new byte[0], "127.0.0.1", 0);
        assertThat(new String(BodyDecoder.decode(lz, LIMIT), StandardCharsets.UTF_8)).isEqualTo(v.text());
    }

    private static void assertError(Request request, int status, String code) {
        assertThatThrownBy(() -> BodyDecoder.decode(request, LIMIT)).isInstanceOfSatisfying(CaptureException.class, e -> {
            assertThat(e.status()).isEqualTo(status);
            assertThat(e.code()).isEqualTo(code);
        });
    }

    static Request request(byte[] body, Map<String, String> headers) {
        return new Request("POST", "/e/", Map.of(), headers, body, "127.0.0.1", 0);
    }

    static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        }
        return out.toByteArray();
    }
}
