package io.reflow.testsupport.browser;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** A browser scenario that failed or did not end; the message holds what the page said and fetched, and the log tail. */
public final class BrowserScenarioException extends IllegalStateException {
    private final transient BrowserResult result;

    BrowserScenarioException(String message, BrowserResult result, Path log) {
        super((result != null && message.equals(result.error()) ? "" : message + "\n")
                + (result == null ? "node log tail (" + log + "):\n" + tail(log, 40) : result.diagnostics()));
        this.result = result;
    }

    /** What happened up to the failure, or null when the script never reported (it crashed or was stopped). */
    public BrowserResult result() {
        return result;
    }

    private static String tail(Path log, int lines) {
        try {
            List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException | RuntimeException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }
}
