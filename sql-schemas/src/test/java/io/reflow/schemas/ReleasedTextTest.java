package io.reflow.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Migrations 0001–0008 as released: databases that applied them recorded these checksums (taken from the released
 * files and from the sharded variant derived from them, in all four shapes), and the migrator must keep accepting
 * them after the Kafka settings became variables.
 */
class ReleasedTextTest {
    private static final Map<String, String> SINGLE = ordered(
            "0001_session_replay_events", "065886ae74a9bc56c634051159ca4fa9d515299937bcac1ceab5caff100bdde4",
            "0002_log_entries", "95c7b1169a22e0ed80dc1267217f49652b576696b2696290ce5dfd648a4ce796",
            "0003_events", "57ffce5d9c99f1454981913c47ad794254f0ef32d640ecf08d485c6e5d2e76bb",
            "0004_persons", "f9a3ea15ef3304ae85c4a6a11d4df8afc38845372d503b582e396e98c040faa3",
            "0005_ingestion_warnings", "d602aec2ffa0f2237074c21327efd945693db17d258fd4677142bcab5b00f2bb",
            "0006_dead_letters", "ed4a30950f541527a514aa35d01376154505099881cea768dc1bc63b94c4c1bc",
            "0007_rollups", "97b63c402578887a2881807814e80f737fab0017c21f77a23f2788e0295271f7",
            "0008_session_replay_retention", "8bbd32c1fc18f2db037d720bc3f6b9aa5d6f67cd9c7febbe63e261f8c2efb251");

    private static final Map<String, Map<String, String>> SHARDED = Map.of(
            "replicated/off", ordered(
                    "0001_session_replay_events", "2500ea17a8af7792733f278d3b34a7d8ffb02924475653a94a6b8e811e7d99e1",
                    "0002_log_entries", "f088d90a78cb6f94cd7bac5ecf5e4a949e6bbe31536d77d1d593ea348243d60c",
                    "0003_events", "4d6a53cd6e66c58211874cb6c48782a312d1d5953d9b800e38cf57b615ccafc2",
                    "0004_persons", "a3303c3cc59c381d7c32ce16be20a4c23dbfb04cdced3ec279cc7f4b42929d20",
                    "0005_ingestion_warnings", "65c51996cb57a6583b4c785314dff95fa09e0c0193397f66e4303398ef10d74b",
                    "0006_dead_letters", "08f5be74299d3e3c2a0c5508493c00df1f3f88d006d8b57cdd4d174d9cb58b79",
                    "0007_rollups", "f12b05e7e32418296d81bac8f29c5abb1184e516ff79a14e88f7b9b37ab3c8df",
                    "0008_session_replay_retention", "91ad686bdfa066cdb97774bbc49f2795f84b28e09a5a58f6301fd47b04a3eba3"),
            "replicated/on", ordered(
                    "0001_session_replay_events", "4feac31de4584f2031d83a6b6eb58a8de247f1588a343174baeffa6c3c63fe3e",
                    "0002_log_entries", "82437d3fc59f2b3e939b78b360fa1144f0c494c64c3bbcc9413516081d4f5961",
                    "0003_events", "94d372aa797ee685d0c02ffadc0a0e650817a01e0d48c8fa2e1c96938d101055",
                    "0004_persons", "f69740f1fe42d2f8755bef19a0493bad1dc5b1711cbf061fd95d4264bf0305f5",
                    "0005_ingestion_warnings", "1a1a9e303ca3213ca0c60bb152d9de4807b9076526538321624db5a00f56164d",
                    "0006_dead_letters", "8c90d38d27485834208f4116327b30caecbafe1645f9ccaa02b672a4c440774a",
                    "0007_rollups", "67d89d000330f3148c3b18cd18feb5287f0ec7a9d318c5d29d4b875ba27b04e5",
                    "0008_session_replay_retention", "cc713e597dd68fc36b8551efe26fea38e58e075775912e5914041d8f4010fcee"),
            "none/off", ordered(
                    "0001_session_replay_events", "64a18faa20b5c2e5893145216969b074240fbe6eced06dc0846c36696a09b673",
                    "0002_log_entries", "09f00899379d3c05672df461983d95aaa3f9528d81f2b42b0bc00bad5bb9db99",
                    "0003_events", "7c18e32fe18a4b2980a041399b3497a35087699e02989853604914919624726f",
                    "0004_persons", "af62ade3d0c3fd3158881b5df17ea74893976f56897e9df26614a7cb056b9d07",
                    "0005_ingestion_warnings", "60710ef2fe3c8d7c49458afce0a521d2f2c27978aa058d2e4f73dc1fab6a968f",
                    "0006_dead_letters", "5610118b69e285d0f6aa735e457483646528740a740a64ac50faafcc9c44283c",
                    "0007_rollups", "c613e1cc61378ab204173fa5bbe943c182a82fd9677a16ceb16d292464f7a26a",
                    "0008_session_replay_retention", "107f9906fbde5ead00d7ce8f080d01d4189cbe262acf7e87a1599c98408993a3"),
            "none/on", ordered(
                    "0001_session_replay_events", "b14d879b64009d93575afb930eac555b1aa6e07cf988c552fe5afd38c1219b9a",
                    "0002_log_entries", "81af6501d7d1fb73dfef2dcc3f8b5b143fbfc9f2b552e02225df261d1f54f062",
                    "0003_events", "16dd00516038c5f8702c7fa92d1836dd6036d1c0690712af97cba445bfdb300c",
                    "0004_persons", "6d76bcdbdaec3e44c9f4b64665014a79d35f98c369fbbde5eb49d299a56ca5a9",
                    "0005_ingestion_warnings", "4da6ff6a2438bd8a810efa202df0d50866a5acd551c78f4a7592bdf4b494ef2a",
                    "0006_dead_letters", "be33a8076bff52524efc091213720e5b6ba12a17ce44b8e67513c65d43785764",
                    "0007_rollups", "15d00ee1dea2c70c058c439685f6466b100f9e088bc082365b92f249436d2ce5",
                    "0008_session_replay_retention", "3b3b2ed306c9ee0f8e684a6b8c70b34fd6be3c99d67867e2b1c9002050f51c6f"));

    @Test
    void theReleasedTextOfEveryEditedMigrationIsByteForByteWhatWasReleased() {
        List<Migration> sources = MigrationFiles.sources();
        for (Migration m : sources.subList(0, SINGLE.size())) {
            assertThat(m.asReleased().checksum()).as(m.id()).isEqualTo(SINGLE.get(m.id()));
            assertThat(m.matches(SINGLE.get(m.id()))).as(m.id()).isTrue();
        }
        assertThat(sources.stream().filter(m -> m.releasedChecksum() != null).map(Migration::id))
                .as("edited since release: the ones with Kafka tables")
                .containsExactly("0001_session_replay_events", "0002_log_entries", "0003_events", "0004_persons",
                        "0005_ingestion_warnings", "0006_dead_letters");
        assertThat(sources.get(0).template()).contains("kafka_format = '${KAFKA_FORMAT}'", "kafka_skip_broken_messages = ${KAFKA_SKIP_BROKEN_MESSAGES}");
    }

    @Test
    void theShardedVariantAcceptsWhatItsReleasedDerivationRecordedInEveryShape() {
        SHARDED.forEach((shape, checksums) -> {
            String[] options = shape.split("/");
            List<Migration> derived = ShardedSchema.derive(MigrationFiles.sources(), ShardedLayout.bundled(),
                    Map.of(ShardedSchema.REPLICATION, options[0], ShardedSchema.COLD_STORAGE, options[1]));
            for (Migration m : derived.subList(0, checksums.size())) {
                assertThat(m.matches(checksums.get(m.id()))).as(shape + " " + m.id()).isTrue();
            }
        });
    }

    @Test
    void anyOtherChecksumIsAChange() {
        Migration first = MigrationFiles.sources().get(0);
        assertThat(first.matches(Migration.sha256(first.template() + "\n"))).isFalse();
        assertThat(Migration.of("0009_later.sql", "kafka_format = '${KAFKA_FORMAT}',\n").releasedChecksum())
                .as("migrations after 0008 have no released text of their own").isNull();
    }

    private static Map<String, String> ordered(String... idsAndChecksums) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < idsAndChecksums.length; i += 2) {
            map.put(idsAndChecksums[i], idsAndChecksums[i + 1]);
        }
        return map;
    }
}
