package io.reflow.jobs.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reflow.contracts.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

/** The small fields {@link CompressedFields} remembers are written as the inflater would write them, budget included. */
class CompressedFieldsTest {
    private final CompressedFields fields = new CompressedFields(Json.mapper().getFactory());

    @Test
    void aRememberedFieldIsWrittenAsItWasInflated() throws Exception {
        byte[] empty = gzip("[]");
        byte[] other = gzip("[{\"id\":1}]");
        assertThat(empty.length).isLessThanOrEqualTo(CompressedFields.SMALL_FIELD_BYTES);
        for (int round = 0; round < 3; round++) {
            assertThat(inflate(empty, 1 << 20)).isEqualTo("[]");
            assertThat(inflate(other, 1 << 20)).isEqualTo("[{\"id\":1}]");
        }
    }

    @Test
    void aRememberedFieldCountsAgainstTheEventsBudget() throws Exception {
        byte[] empty = gzip("[]");
        CompressedFields.Budget budget = new CompressedFields.Budget(3);
        GrowableBytes out = new GrowableBytes();
        fields.inflateInto(empty, "data.texts", budget, out);
        assertThatThrownBy(() -> fields.inflateInto(empty, "data.adds", budget, out))
                .isInstanceOf(CompressedFields.Rejected.class)
                .hasMessage("data.adds: decompresses to more than the limit of 3 bytes per event");
    }

    @Test
    void aFieldThatIsNotJsonIsRefusedEveryTime() throws Exception {
        byte[] notJson = gzip("[1,");
        for (int round = 0; round < 2; round++) {
            assertThatThrownBy(() -> inflate(notJson, 1 << 20))
                    .isInstanceOf(CompressedFields.Rejected.class)
                    .hasMessageStartingWith("data.texts: not JSON");
        }
    }

    private String inflate(byte[] gz, long limit) throws CompressedFields.Rejected {
        GrowableBytes out = new GrowableBytes();
        out.write('x');
        fields.inflateInto(gz, "data.texts", new CompressedFields.Budget(limit), out);
        return new String(Arrays.copyOfRange(out.array(), 1, out.size()), StandardCharsets.UTF_8);
    }

    private static byte[] gzip(String json) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(bytes)) {
            gz.write(json.getBytes(StandardCharsets.UTF_8));
        }
        return bytes.toByteArray();
    }
}
