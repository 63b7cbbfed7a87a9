package io.reflow.capture;

import io.reflow.contracts.RetentionClass;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The projects tests run against. */
final class TestTeams {
    /** The token the fixtures were recorded with. */
    static final Team SPIKE = new Team(1, "spike", Fixture.TOKEN, true, RetentionClass.D30, false);
    static final Team NO_RECORDINGS = new Team(2, "no recordings", "phc_no_recordings", false, RetentionClass.D90, false);
    static final Team ANONYMOUS = new Team(3, "anonymised", "phc_anonymised", true, RetentionClass.Y1, true);
    /** 5 events and 20 kB of recordings per minute. */
    static final Team LIMITED = new Team(4, "limited", "phc_limited", true, RetentionClass.D30, false, new TeamLimits(5, 20_000));

    /** Records a tenth of its sessions, those of 2 s or more, with inputs masked and one selector blocked. */
    static final Team MASKED = new Team(5, "masked", "phc_masked", true, RetentionClass.D30, false, TeamLimits.UNLIMITED,
            new RecordingSettings(0.1, 2000L, true, ".secret", ".private", false));

    /** Its recordings are stored encrypted with per-session keys. */
    static final Team ENCRYPTED = new Team(6, "encrypted", "phc_encrypted", true, RetentionClass.D90, false, TeamLimits.UNLIMITED,
            new RecordingSettings(null, null, null, null, null, true, true));

    private TestTeams() {}

    static TeamRegistry registry() {
        return TeamRegistry.of(List.of(SPIKE, NO_RECORDINGS, ANONYMOUS, LIMITED, MASKED, ENCRYPTED));
    }

    /** A config on a free loopback port, with the given overrides. */
    static CaptureConfig config(String... keyValues) {
        Map<String, String> env = new HashMap<>(Map.of("CAPTURE_HOST", "127.0.0.1", "CAPTURE_PORT", "0",
                "KAFKA_MESSAGE_TIMEOUT_MS", "500", "CAPTURE_DRAIN_TIMEOUT_MS", "5000"));
        for (int i = 0; i < keyValues.length; i += 2) {
            env.put(keyValues[i], keyValues[i + 1]);
        }
        return CaptureConfig.fromEnv(env);
    }
}
