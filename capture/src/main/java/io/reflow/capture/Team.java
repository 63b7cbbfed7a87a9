package io.reflow.capture;

import io.reflow.contracts.RetentionClass;
import java.util.Objects;

/** One project as the team registry describes it; capture stamps {@code teamId} and {@code retention} on what it writes. */
public record Team(long teamId, String name, String apiToken, boolean recordingsEnabled, RetentionClass retention,
                   boolean anonymizeIps) {

    public Team {
        Objects.requireNonNull(apiToken, "apiToken");
        Objects.requireNonNull(retention, "retention");
        name = name == null ? "" : name;
    }
}
