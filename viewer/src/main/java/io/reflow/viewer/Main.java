package io.reflow.viewer;

import java.util.concurrent.CountDownLatch;

/** Runs the viewer from the environment ({@link ViewerConfig}) until the process is stopped. */
public final class Main {
    private Main() {}

    public static void main(String[] args) throws InterruptedException {
        ViewerConfig config;
        try {
            config = ViewerConfig.fromEnv(System.getenv());
        } catch (IllegalArgumentException e) {
            System.err.println("viewer: " + e.getMessage());
            System.exit(2);
            return;
        }
        ViewerServer server = ViewerServer.start(config);
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "viewer-stop"));
        new CountDownLatch(1).await();
    }
}
