package io.reflow.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;

/** Free loopback ports and waiting for a port to accept connections. */
public final class Ports {
    private Ports() {}

    public static int free() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port", e);
        }
    }

    /** {@code requested} if positive, else a free port. */
    public static int orFree(int requested) {
        return requested > 0 ? requested : free();
    }

    public static boolean accepts(String host, int port) {
        try (Socket s = new Socket()) {
            s.connect(new java.net.InetSocketAddress(host, port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    public static void awaitAccepting(String host, int port, Duration timeout, ChildProcess process) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (accepts(host, port)) {
                return;
            }
            if (process != null && !process.isAlive()) {
                throw new IllegalStateException(process.name() + " exited with " + process.exitValue()
                        + " before listening on " + port + "; log tail:\n" + process.logTail(40));
            }
            sleep(100);
        }
        throw new IllegalStateException("nothing listening on " + host + ":" + port + " after " + timeout
                + (process == null ? "" : "; log tail:\n" + process.logTail(40)));
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
