package io.reflow.jobs.events;

import static org.assertj.core.api.Assertions.assertThat;

import io.reflow.contracts.Json;
import org.junit.jupiter.api.Test;

/** The key's state survives its binary encoding, and state stored as JSON by earlier versions still reads. */
class KeyStateTest {
    @Test
    void aHostRoundTripsWithItsPropertiesAndDistinctIdsInOrder() {
        KeyState.Person p = KeyState.Person.create("person-1", 1_000L, 7L, "d é 😀", 0);
        p.identified = true;
        p.version = 3;
        p.distinctIds.put("b", 2L);
        p.distinctIds.put("a \ud800 lone", 1L);
        p.properties.put("$browser", "Firefox").put("n", 1.5).putNull("x").putObject("o").put("k", "\"q\"");
        KeyState read = KeyState.decode(KeyState.hosting(p).encode());

        assertThat(read.pointer).isNull();
        assertThat(read.person).usingRecursiveComparison().ignoringFields("propertiesJson", "propertiesJsonOf").isEqualTo(p);
        assertThat(read.person.distinctIds.keySet()).containsExactly("d é 😀", "b", "a \ud800 lone");
        assertThat(read.person.propertiesJson()).isEqualTo(ReadJson.string(p.properties));
    }

    @Test
    void aPointerRoundTrips() {
        KeyState.Pointer ptr = KeyState.Pointer.to("host", 9L, "person-2", 123L);
        KeyState read = KeyState.decode(KeyState.pointingTo(ptr).encode());
        assertThat(read.person).isNull();
        assertThat(read.pointer).usingRecursiveComparison().isEqualTo(ptr);
    }

    @Test
    void stateStoredAsJsonBeforeStillReads() {
        KeyState.Person p = KeyState.Person.create("person-1", 1_000L, 7L, "d", 4);
        p.properties.put("a", 1);
        byte[] legacy = Json.encode(KeyState.hosting(p));
        assertThat(legacy[0]).isEqualTo((byte) '{');
        KeyState read = KeyState.decode(legacy);
        assertThat(read.person.id).isEqualTo("person-1");
        assertThat(read.person.distinctIds).containsEntry("d", 4L);
        assertThat(read.person.propertiesJson()).isEqualTo("{\"a\":1}");
        assertThat(KeyState.decode(Json.encode(KeyState.pointingTo(KeyState.Pointer.to("h", 1, "x", 2)))).pointer.host)
                .isEqualTo("h");
    }

    @Test
    void propertiesChangedInPlaceAreWrittenAgain() {
        KeyState.Person p = KeyState.Person.create("person-1", 1_000L, 7L, "d", 0);
        p.properties.put("a", 1);
        KeyState read = KeyState.decode(KeyState.hosting(p).encode());
        read.person.properties.put("b", 2);
        read.person.propertiesChanged();
        assertThat(KeyState.decode(KeyState.hosting(read.person).encode()).person.propertiesJson())
                .isEqualTo("{\"a\":1,\"b\":2}");
    }
}
