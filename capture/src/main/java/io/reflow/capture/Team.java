package io.reflow.capture;

import io.reflow.contracts.RetentionClass;
import java.util.Objects;

/** One project as the team registry describes it; capture stamps {@code teamId} and {@code retention} on what it writes. */
public record Team(long teamId, String name, String apiToken, boolean recordingsEnabled, RetentionClass retention,
                   boolean anonymizeIps, TeamLimits limits, RecordingSettings recording) {

    public Team {
        Objects.requireNonNull(apiToken, "apiToken");
        Objects.requireNonNull(retention, "retention");
        name = name == null ? "" : name;
        limits = limits == null ? TeamLimits.UNLIMITED : limits;
        recording = recording == null ? RecordingSettings.DEFAULTS : recording;
    }

    /** A team with the SDK's default recording options. */
    public Team(long teamId, String name, String apiToken, boolean recordingsEnabled, RetentionClass retention,
                boolean anonymizeIps, TeamLimits limits) {
        this(teamId, name, apiToken, recordingsEnabled, retention, anonymizeIps, limits, RecordingSettings.DEFAULTS);
    }

    /** A team without volume limits. */
    public Team(long teamId, String name, String apiToken, boolean recordingsEnabled, RetentionClass retention,
                boolean anonymizeIps) {
        this(teamId, name, apiToken, recordingsEnabled, retention, anonymizeIps, TeamLimits.UNLIMITED, RecordingSettings.DEFAULTS);
    }
}
