package io.reflow.bench;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.GZIPInputStream;

/** The inflate ceiling: {@code threads} threads that only gunzip the workload's bodies, round-robin, into a reused buffer. */
final class GunzipCeiling {
    private GunzipCeiling() {}

    static Ceiling measure(Workload workload, int threads, Duration warmup, Duration measure) throws InterruptedException {
        long measureFrom = System.nanoTime() + warmup.toNanos();
        long stopAt = measureFrom + measure.toNanos();
        AtomicLong bodies = new AtomicLong();
        AtomicLong bytes = new AtomicLong();
        List<Thread> all = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int first = t;
            Thread thread = new Thread(() -> {
                byte[] buffer = new byte[64 * 1024];
                long n = 0;
                long out = 0;
                for (int i = first; ; i++) {
                    long now = System.nanoTime();
                    if (now >= stopAt) {
                        break;
                    }
                    Body body = workload.bodies().get(i % workload.bodies().size());
                    long produced = gunzip(body.raw(), buffer);
                    if (now >= measureFrom) {
                        n++;
                        out += produced;
                    }
                }
                bodies.addAndGet(n);
                bytes.addAndGet(out);
            }, "gunzip-" + t);
            thread.start();
            all.add(thread);
        }
        for (Thread t : all) {
            t.join();
        }
        double seconds = measure.toNanos() / 1e9;
        return new Ceiling("gunzip only (" + threads + (threads == 1 ? " thread)" : " threads)"), bodies.get() / seconds,
                bytes.get() / seconds / 1e6, String.format("%.0f MB/s of output", bytes.get() / seconds / 1e6));
    }

    private static long gunzip(byte[] gzip, byte[] buffer) {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gzip), buffer.length)) {
            long total = 0;
            for (int n; (n = in.read(buffer)) > 0; ) {
                total += n;
            }
            return total;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
