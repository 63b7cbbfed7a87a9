package io.reflow.testsupport.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;

import com.clickhouse.data.ClickHouseCityHash;
import java.util.Random;
import org.junit.jupiter.api.Test;

class CityHash128Test {

    @Test
    @SuppressWarnings("deprecation")
    void agreesWithTheClickHouseDriversChecksumForEveryLengthAndOffset() {
        Random random = new Random(42);
        for (int length = 0; length <= 1100; length++) {
            byte[] data = new byte[length + 7];
            random.nextBytes(data);
            int offset = length % 7;
            long[] expected = ClickHouseCityHash.cityHash128(data, offset, length);
            assertThat(CityHash128.hash(data, offset, length)).as("length %d", length).containsExactly(expected);
        }
    }
}
