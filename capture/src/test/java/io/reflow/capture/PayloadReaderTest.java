package io.reflow.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.reflow.contracts.Json;
import io.reflow.contracts.RecordingMessage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class PayloadReaderTest {
    /** Whitespace everywhere, braces and brackets inside strings, escapes, multi-byte UTF-8. */
    private static final String AWKWARD = """
             { "api_key" : "phc_x" ,
               "batch" : [
                 { "event" : "$snapshot" , "properties" : { "$session_id" : "s-1" , "distinct_id" : "d\u00e9" ,
                   "$snapshot_data" : [ {"type":2,"data":"}]{[\\"\\u00e9\u65e5\ud83c\udf89"} ,
                                        { "type" : 3 , "nested" : { "a" : [ 1 , { "b" : "]" } ] } } ] ,
                   "$window_id" : "w" } } ,
                 [ 1 , 2 ] ,
                 { "event" : "$pageview" , "properties" : { "distinct_id" : 7 } }
               ] , "sent_at" : "2026-11-24T00:00:00Z" }
            """;

    @Test
    void itemRangesAreExactlyTheItemsWhateverTheFormatting() throws IOException {
        byte[] json = AWKWARD.getBytes(StandardCharsets.UTF_8);
        JsonNode tree = Json.mapper().readTree(json);
        for (PayloadReader.Mode mode : PayloadReader.Mode.values()) {
            Payload payload = PayloadReader.read(json, mode);
            assertThat(payload.items()).hasSize(3);
            for (int i = 0; i < 3; i++) {
                PayloadItem item = payload.items().get(i);
                assertThat(Json.mapper().readTree(Arrays.copyOfRange(json, item.start(), item.end()))).isEqualTo(tree.at("/batch/" + i));
                assertThat(payload.fullItem(item)).isEqualTo(tree.at("/batch/" + i));
            }
            assertThat(payload.root().get("sent_at").asText()).isEqualTo("2026-11-24T00:00:00Z");
            assertThat(payload.root().has("batch")).isFalse();
        }
    }

    @Test
    void snapshotsByReferenceNoteWhereEachRrwebEventLies() throws IOException {
        byte[] json = AWKWARD.getBytes(StandardCharsets.UTF_8);
        JsonNode data = Json.mapper().readTree(json).at("/batch/0/properties/$snapshot_data");
        PayloadItem item = Payload.parseSnapshots(json).items().get(0);

        assertThat(item.node().at("/properties/$snapshot_data").isMissingNode()).isTrue();
        assertThat(item.node().at("/properties/$window_id").asText()).isEqualTo("w");
        assertThat(item.snapshotEventsAreObjects()).isTrue();
        assertThat(item.snapshotEventCount()).isEqualTo(2);
        for (int i = 0; i < 2; i++) {
            byte[] event = Arrays.copyOfRange(json, item.snapshotEventStart(i), item.snapshotEventEnd(i));
            assertThat(Json.mapper().readTree(event)).isEqualTo(data.get(i));
        }
        // what is spliced into the wire record decodes to the same message as encoding the parsed events
        RecordingMessage empty = new RecordingMessage(1, "s-1", "w", "d\u00e9", "web", "web", 5, null, "30d", List.of());
        byte[] spliced = SplicedJson.fillLastArray(Json.encode(empty), json, item.snapshotEventStart(0), item.snapshotEventEnd(1));
        List<JsonNode> events = new ArrayList<>();
        data.forEach(events::add);
        assertThat(Json.decode(spliced, RecordingMessage.class)).isEqualTo(new RecordingMessage(1, "s-1", "w", "d\u00e9", "web",
                "web", 5, null, "30d", events));
        assertThat(spliced.length).isEqualTo(SplicedJson.filledSize(Json.encode(empty),
                item.snapshotEventEnd(1) - item.snapshotEventStart(0)));
    }

    @Test
    void everyShapeOfBody() {
        String event = "{\"event\":\"e\",\"properties\":{\"distinct_id\":\"d\",\"$snapshot_data\":[{\"a\":1},2]}}";
        for (PayloadReader.Mode mode : PayloadReader.Mode.values()) {
            Payload single = PayloadReader.read(event.getBytes(StandardCharsets.UTF_8), mode);
            assertThat(single.items()).singleElement().satisfies(i -> {
                assertThat(i.start()).isZero();
                assertThat(i.end()).isEqualTo(event.length());
            });
            assertThat(PayloadReader.read(("[" + event + "," + event + "]").getBytes(StandardCharsets.UTF_8), mode).items()).hasSize(2);
            assertThat(PayloadReader.read(("{\"batch\":" + event + "}").getBytes(StandardCharsets.UTF_8), mode).items()).hasSize(1);
        }
        PayloadItem mixed = Payload.parseSnapshots(event.getBytes(StandardCharsets.UTF_8)).items().get(0);
        assertThat(mixed.snapshotEventCount()).isEqualTo(2);
        assertThat(mixed.snapshotEventsAreObjects()).isFalse();
        PayloadItem notArray = Payload.parseSnapshots("[{\"properties\":{\"$snapshot_data\":{}}}]".getBytes(StandardCharsets.UTF_8))
                .items().get(0);
        assertThat(notArray.snapshotEventCount()).isZero();
        assertThat(notArray.node().at("/properties/$snapshot_data").isObject()).isTrue();

        for (String bad : List.of("", "  ", "42", "\"x\"", "{\"batch\":3}", "[{]", "[1,2", "{\"a\":1")) {
            assertThatThrownBy(() -> Payload.parseSnapshots(bad.getBytes(StandardCharsets.UTF_8))).as(bad)
                    .isInstanceOfSatisfying(CaptureException.class, e -> assertThat(e.code()).isEqualTo("invalid_payload"));
        }
        for (String empty : List.of("[]", "{\"batch\":[]}")) {
            assertThatThrownBy(() -> Payload.parse(empty.getBytes(StandardCharsets.UTF_8)))
                    .isInstanceOfSatisfying(CaptureException.class, e -> assertThat(e.code()).isEqualTo("empty_batch"));
        }
    }

    @Test
    void eventsKeepOnlyWhatCaptureChecksAndTheFullItemIsThereWhenNeeded() throws IOException {
        String event = "{\"uuid\":\"u\",\"event\":\"$pageview\",\"$set\":{\"a\":1},\"timestamp\":\"t\",\"properties\":"
                + "{\"token\":\"phc\",\"distinct_id\":\"d\",\"$session_id\":\"s\",\"$ip\":\"1.2.3.4\",\"$current_url\":\"x\","
                + "\"$elements\":[{\"tag_name\":\"a\"}]}}";
        Payload payload = Payload.parse(("[" + event + "]").getBytes(StandardCharsets.UTF_8));
        JsonNode kept = payload.items().get(0).node();
        assertThat(Json.mapper().readTree(kept.toString())).isEqualTo(Json.mapper().readTree(
                "{\"uuid\":\"u\",\"event\":\"$pageview\",\"timestamp\":\"t\",\"properties\":"
                        + "{\"token\":\"phc\",\"distinct_id\":\"d\",\"$session_id\":\"s\",\"$ip\":\"1.2.3.4\"}}"));
        assertThat(payload.fullItem(payload.items().get(0))).isEqualTo(Json.mapper().readTree(event));
        // a checked field of the wrong type is kept, so that the check sees its type
        JsonNode badName = Payload.parse("{\"event\":[1],\"properties\":\"p\"}".getBytes(StandardCharsets.UTF_8)).items().get(0).node();
        assertThat(badName.get("event").isArray()).isTrue();
        assertThat(badName.get("properties").isTextual()).isTrue();
    }

    @Test
    void invalidUtf8InsideSkippedRrwebEventsIsStillRefused() {
        byte[] json = "[{\"event\":\"$snapshot\",\"properties\":{\"$snapshot_data\":[{\"t\":\"\u00e9\"}]}}]".getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < json.length; i++) {
            if ((json[i] & 0xff) == 0xc3) {
                json[i + 1] = '(';
            }
        }
        assertThatThrownBy(() -> Payload.parseSnapshots(json))
                .isInstanceOfSatisfying(CaptureException.class, e -> assertThat(e.code()).isEqualTo("invalid_payload"));
    }
}
