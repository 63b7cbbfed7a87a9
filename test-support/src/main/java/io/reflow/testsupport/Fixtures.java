package io.reflow.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The recorded posthog-js request bodies in {@code shared/fixtures/posthog-js}, found from any module directory. */
public final class Fixtures {
    private Fixtures() {}

    public static Path posthogJsDir() {
        String configured = System.getenv("REFLOW_FIXTURES");
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured);
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            for (Path candidate : new Path[] {dir.resolve("shared/fixtures/posthog-js"), dir.resolve("../shared/fixtures/posthog-js")}) {
                if (Files.isDirectory(candidate)) {
                    return candidate.normalize();
                }
            }
        }
        throw new IllegalStateException("shared/fixtures/posthog-js not found above " + Path.of("").toAbsolutePath()
                + " (set REFLOW_FIXTURES)");
    }

    public static Path posthogJs(String fileName) {
        return posthogJsDir().resolve(fileName);
    }

    public static byte[] bytes(String fileName) {
        try {
            return Files.readAllBytes(posthogJs(fileName));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
