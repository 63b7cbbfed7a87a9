package io.reflow.capture;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The quick reader of recordings bodies must give exactly what Jackson gives, and must never accept a body Jackson
 * refuses: every fixture body, and every truncation and many one-byte corruptions of some, are read both ways.
 */
class SnapshotBodyScannerTest {
    private static final String AWKWARD = """
             { "api_key" : "phc_x" , "properties" : { "a" : [ 1.5 , -2e3 , 12345678901 , true , null , "\\u00e9" ] } ,
               "batch" : [
                 { "event" : "$snapshot" , "properties" : { "$session_id" : "s-1" , "distinct_id" : "d\u00e9" ,
                   "$snapshot_data" : [ {"type":2,"data":"}]{[\\"\\u00e9\u65e5\ud83c\udf89\\/\\b\\f\\n\\r\\t"} ,
                                        { "type" : 3 , "nested" : { "a" : [ 1 , { "b" : "]" , "c" : [ ] , "d" : { } } ] } ,
                                          "n" : [ -0 , 0.25 , 1E+2 , 3e-1 , false , true , null ] } ] ,
                   "$window_id" : "w" , "x" : 0 , "y" : -12 , "z" : 99.0 } , "timestamp" : 1795303663046 } ,
                 { "event" : "$snapshot" , "properties" : { "$snapshot_data" : [ ] , "$session_id" : "s-2" } } ,
                 { "event" : "$snapshot" , "properties" : { "$snapshot_data" : { } } , "distinct_id" : 7 }
               ] , "sent_at" : "2026-11-24T00:00:00Z" }
            """;
    private static final byte[] CORRUPTIONS = {'"', '\\', ',', ':', ']', '}', '[', '{', 0, 0x1f, (byte) 0x80, (byte) 0xc3,
            (byte) 0xe6, (byte) 0xf0, (byte) 0xff, (byte) 0xc0, (byte) 0xdf, (byte) 0xef, (byte) 0xf5, (byte) 0xf7, (byte) 0xf8, (byte) 0xbf, 0x7f, '0', '-', '.', 'e', '+', 'u', 'a', ' ', '\n', '/'};

    @Test
    void everyFixtureBodyIsReadQuicklyAndAsJacksonReadsIt() {
        int read = 0;
        for (byte[] json : fixtureBodies()) {
            Payload quick = SnapshotBodyScanner.read(json);
            assertThat(quick).isNotNull();
            assertSame(quick, PayloadReader.readWithJackson(json, PayloadReader.Mode.SNAPSHOTS));
            read++;
        }
        assertThat(read).isGreaterThanOrEqualTo(15);
    }

    @Test
    void awkwardFormattingIsReadQuicklyAndAsJacksonReadsIt() {
        byte[] json = AWKWARD.getBytes(StandardCharsets.UTF_8);
        Payload quick = SnapshotBodyScanner.read(json);
        assertThat(quick).isNotNull();
        assertThat(quick.items()).hasSize(3);
        assertSame(quick, PayloadReader.readWithJackson(json, PayloadReader.Mode.SNAPSHOTS));
    }

    @Test
    void whatJacksonRefusesOrReadsDifferentlyIsLeftToJackson() {
        for (String body : List.of("", " ", "\uFEFF[{}]", "[{\"properties\":{\"$snapshot_data\":[{},2]}}]", "[1]",
                "[{\"a\":01}]", "[{\"a\":1,}]", "[{\"a\":[1,]}]", "[{\"a\":+1}]", "[{\"a\":.5}]", "[{\"a\":1.}]", "[{\"a\":NaN}]",
                "[{\"a\":tru}]", "[{\"a\":\"\\x\"}]", "[{\"a\":\"\\u12g4\"}]", "[{'a':1}]", "[{a:1}]", "[{\"a\":1}/*c*/]",
                "[{\"p\\u0072operties\":{}}]", "[{\"properties\":{\"$snapshot_data\":[{\"a\":\"\t\"}]}}]",
                "[]", "{\"batch\":[]}", "{\"batch\":3}", "[{\"a\":1}", "[{\"a\":1}},")) {
            byte[] json = body.getBytes(StandardCharsets.UTF_8);
            assertThat(SnapshotBodyScanner.read(json)).as(body).isNull();
        }
        StringBuilder deep = new StringBuilder("[{\"properties\":{\"$snapshot_data\":[");
        deep.append("{\"a\":[".repeat(900)).append("]}".repeat(900)).append("]}}]");
        assertThat(SnapshotBodyScanner.read(deep.toString().getBytes(StandardCharsets.UTF_8))).isNull();
    }

    @Test
    void neverAcceptsATruncatedOrCorruptedBodyThatJacksonRefuses() {
        List<byte[]> samples = new ArrayList<>(List.of(AWKWARD.getBytes(StandardCharsets.UTF_8)));
        fixtureBodies().stream().filter(b -> b.length < 4000).limit(2).forEach(samples::add);
        int quick = 0;
        for (byte[] json : samples) {
            for (int length = 0; length < json.length; length++) {
                quick += compare(java.util.Arrays.copyOf(json, length));
            }
            for (int at = 0; at < json.length; at++) {
                for (byte corruption : CORRUPTIONS) {
                    byte[] corrupted = json.clone();
                    corrupted[at] = corruption;
                    quick += compare(corrupted);
                }
            }
        }
        assertThat(quick).as("bodies read quickly").isGreaterThan(1000);
    }

    /** 1 when the quick reader read the body (and agreed with Jackson), 0 when it left it to Jackson. */
    private static int compare(byte[] json) {
        Payload quick = SnapshotBodyScanner.read(json);
        if (quick == null) {
            return 0;
        }
        Payload jackson;
        try {
            jackson = PayloadReader.readWithJackson(json, PayloadReader.Mode.SNAPSHOTS);
        } catch (CaptureException e) {
            throw new AssertionError("the quick reader accepted what Jackson refuses (" + e.getMessage() + "): "
                    + new String(json, StandardCharsets.ISO_8859_1), e);
        }
        assertSame(quick, jackson);
        return 1;
    }

    private static void assertSame(Payload quick, Payload jackson) {
        assertThat(quick.root()).isEqualTo(jackson.root());
        assertThat(quick.items()).hasSameSizeAs(jackson.items());
        for (int i = 0; i < quick.items().size(); i++) {
            PayloadItem q = quick.items().get(i);
            PayloadItem j = jackson.items().get(i);
            assertThat(q.node()).isEqualTo(j.node());
            assertThat(q.node().toString()).isEqualTo(j.node().toString()); // same node types, e.g. int vs long
            assertThat(q.start()).isEqualTo(j.start());
            assertThat(q.end()).isEqualTo(j.end());
            assertThat(q.snapshotEvents()).isEqualTo(j.snapshotEvents());
            assertThat(q.snapshotEventsAreObjects()).isEqualTo(j.snapshotEventsAreObjects());
        }
    }

    /** The decoded body of every fixture request that has a JSON body. */
    private static List<byte[]> fixtureBodies() {
        List<byte[]> bodies = new ArrayList<>();
        for (Fixture f : Fixture.all()) {
            if (!f.method().equals("POST") || f.path().startsWith("/flags") || f.path().startsWith("/decide")) {
                continue;
            }
            Map<String, List<String>> query = f.query().entrySet().stream()
                    .collect(Collectors.toMap(Map.Entry::getKey, e -> List.of(e.getValue())));
            Map<String, String> headers = f.headers().keySet().stream()
                    .collect(Collectors.toMap(k -> k.toLowerCase(Locale.ROOT), Function.identity()));
            headers.replaceAll((lower, original) -> f.headers().get(original));
            Request request = new Request(f.method(), f.path(), query, headers, f.raw(), "127.0.0.1", 0);
            bodies.add(BodyDecoder.decode(request, 25 << 20));
        }
        return bodies;
    }
}
