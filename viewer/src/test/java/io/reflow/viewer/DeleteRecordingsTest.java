package io.reflow.viewer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class DeleteRecordingsTest {
    @Test
    void theCommandLineNamesATeamAndExactlyOneScope() {
        assertThat(DeleteRecordings.Request.parse("--team", "7", "--session", "s-1"))
                .isEqualTo(new DeleteRecordings.Request(7, RecordingDeletion.Scope.SESSION, "s-1", false, java.util.Optional.empty(),
                        java.util.Optional.empty()));
        assertThat(DeleteRecordings.Request.parse("--team", "7", "--all", "--kafka-bootstrap-servers", "kafka:9092")
                .kafkaBootstrapServers()).contains("kafka:9092");
        assertThat(DeleteRecordings.Request.parse("--person-id", "5f0c6a3e-0000-4000-8000-000000000001", "--team", "7", "--events"))
                .satisfies(r -> {
                    assertThat(r.scope()).isEqualTo(RecordingDeletion.Scope.PERSON_ID);
                    assertThat(r.events()).isTrue();
                });
        assertThat(DeleteRecordings.Request.parse("--team", "7", "--all").scope()).isEqualTo(RecordingDeletion.Scope.TEAM);
        assertThatThrownBy(() -> DeleteRecordings.Request.parse("--session", "s")).hasMessageContaining("--team");
        assertThatThrownBy(() -> DeleteRecordings.Request.parse("--team", "7", "--session", "a", "--all")).hasMessageContaining("one of");
        assertThatThrownBy(() -> DeleteRecordings.Request.parse("--team", "x", "--all")).hasMessageContaining("number");
        assertThatThrownBy(() -> DeleteRecordings.Request.parse("--team", "7", "--session")).hasMessageContaining("needs a value");
        assertThat(DeleteRecordings.run(new String[] {"--bogus"}, Map.of())).isEqualTo(2);
        assertThat(DeleteRecordings.run(new String[] {"--team", "1", "--all"}, Map.of())).as("no ClickHouse given").isEqualTo(2);
    }

    @Test
    void distinctIdsBecomeAnEscapedArrayLiteral() {
        assertThat(RecordingDeletion.array(java.util.List.of("a", "o'brien", "back\\slash"))).isEqualTo("['a','o\\'brien','back\\\\slash']");
    }
}
