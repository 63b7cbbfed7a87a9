package io.reflow.jobs.events;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DistinctIdsTest {
    @ParameterizedTest
    @ValueSource(strings = {"anonymous", "ANONYMOUS", "guest", "distinctid", "distinct_id", "id", "not_authenticated",
        "email", "undefined", "UnDeFiNeD", "true", "false", "[object Object]", "NaN", "None", "none", "null", "0",
        "", " ", "\t\n", "\"undefined\"", "'null'", "\"[object Object]\"", "'Guest'"})
    void placeholderIdsAreIllegal(String id) {
        assertThat(DistinctIds.isIllegal(id)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"nan", "NULL", "00", "user-1", "01a2006f-e54c-7768-9621-019be2c6f28a", "alice@example.com",
        "anonymous-42", "guest_7"})
    void realIdsAndCaseSensitiveLookAlikesAreLegal(String id) {
        assertThat(DistinctIds.isIllegal(id)).isFalse();
    }

    @Test
    void nullIsIllegal() {
        assertThat(DistinctIds.isIllegal(null)).isTrue();
    }

    @Test
    void personUuidIsPostHogsUuid5OfTeamAndDistinctId() {
        // python3: uuid.uuid5(uuid.UUID('932979b4-65c3-4424-8467-0b66ec27bc22'), '1:user-1')
        assertThat(DistinctIds.personUuid(1, "user-1")).isEqualTo("6931a681-6e90-500d-8294-14582dcc2e3f");
        assertThat(DistinctIds.personUuid(2, "01a2006f-e54c-7768-9621-019be2c6f28a"))
                .isEqualTo("6d0ee0d9-4151-5e77-9835-99ee72f6964d");
        assertThat(DistinctIds.personUuid(1, "user-1")).isNotEqualTo(DistinctIds.personUuid(2, "user-1"));
    }

    @Test
    void keysSplitAtTheFirstColonBecauseTheTeamIsANumber() {
        String key = DistinctIds.key(42, "urn:user:7");
        assertThat(key).isEqualTo("42:urn:user:7");
        assertThat(DistinctIds.teamOf(key)).isEqualTo(42);
        assertThat(DistinctIds.distinctIdOf(key)).isEqualTo("urn:user:7");
    }
}
