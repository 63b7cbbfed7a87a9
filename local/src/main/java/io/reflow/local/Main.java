package io.reflow.local;

import java.nio.file.Path;

/** bin/local's entry point. Sets the log directory before anything creates a logger. */
public final class Main {
    private Main() {}

    public static void main(String[] args) throws Exception {
        LocalOptions options;
        try {
            options = LocalOptions.parse(args, System.getenv());
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        Path logs = options.dataDir().resolve("logs");
        System.setProperty("reflow.log.dir", logs.toString());
        // explicit, because test jars on the classpath (Flink's) carry log4j2-test files that would win
        System.setProperty("log4j2.configurationFile", "log4j2-local.properties");
        System.out.println("logs: " + logs.resolve("local.log"));
        LocalStack.run(options);
    }
}
