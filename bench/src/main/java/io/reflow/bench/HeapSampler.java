package io.reflow.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Polls capture's {@code /metrics} while it is under load and keeps the largest heap in use it saw (the sum of
 * {@code jvm_memory_used_bytes} over the heap pools) and the heap's maximum.
 */
final class HeapSampler implements AutoCloseable {
    private static final long INTERVAL_MS = 200;
    private static final double MIB = 1024.0 * 1024;

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    private final URI metrics;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile double peakUsedMib;
    private volatile double maxMib;

    HeapSampler(int port) {
        this.metrics = URI.create("http://127.0.0.1:" + port + "/metrics");
        this.thread = new Thread(this::sample, "heap-sampler");
        thread.setDaemon(true);
        thread.start();
    }

    double peakUsedMib() {
        return peakUsedMib;
    }

    double maxMib() {
        return maxMib;
    }

    private void sample() {
        while (running) {
            try {
                String text = http.send(HttpRequest.newBuilder(metrics).timeout(Duration.ofSeconds(5)).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
                double used = 0;
                double max = 0;
                for (String line : text.split("\n")) {
                    if (line.startsWith("jvm_memory_used_bytes{area=\"heap\"")) {
                        used += value(line);
                    } else if (line.startsWith("jvm_memory_max_bytes{area=\"heap\"")) {
                        max += Math.max(0, value(line));
                    }
                }
                peakUsedMib = Math.max(peakUsedMib, used / MIB);
                maxMib = max / MIB;
                Thread.sleep(INTERVAL_MS);
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                // a scrape that failed under load: the next one counts
            }
        }
    }

    private static double value(String line) {
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.interrupt();
        thread.join();
    }
}
