package io.reflow.testsupport;

import java.nio.file.Path;

/** Where downloaded artifacts (chDB library, npm packages) are cached between runs: $REFLOW_CACHE or ~/.cache/reflow. */
public final class Cache {
    private Cache() {}

    public static Path dir() {
        String configured = System.getenv("REFLOW_CACHE");
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured);
        }
        return Path.of(System.getProperty("user.home"), ".cache", "reflow");
    }
}
