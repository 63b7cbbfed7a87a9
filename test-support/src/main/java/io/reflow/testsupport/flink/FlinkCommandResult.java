package io.reflow.testsupport.flink;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What a Flink client (CLI, SQL client) printed and how it exited. */
public record FlinkCommandResult(List<String> args, int exitCode, String output, Duration took) {
    private static final Pattern SUBMITTED = Pattern.compile("Job has been submitted with JobID ([0-9a-f]{32})");
    private static final Pattern SAVEPOINT = Pattern.compile("Savepoint completed\\. Path: (\\S+)");

    public boolean succeeded() {
        return exitCode == 0;
    }

    /** Fails with the output when the command did not exit with 0. */
    public FlinkCommandResult requireSuccess() {
        if (!succeeded()) {
            throw new IllegalStateException("flink " + String.join(" ", args) + " exited with " + exitCode + ":\n" + output);
        }
        return this;
    }

    /** The job id {@code run -d} printed. */
    public Optional<String> submittedJobId() {
        Matcher m = SUBMITTED.matcher(output);
        return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    }

    /** The savepoint path {@code stop --savepointPath} printed. */
    public Optional<String> savepointPath() {
        Matcher m = SAVEPOINT.matcher(output);
        return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    }
}
