package io.reflow.capture;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks the cluster for its brokers every {@code interval} while capture has had no acknowledged write in that time,
 * so readiness turns false when the brokers become unreachable even if no request arrives to find out.
 * Traffic that is acknowledged proves reachability on its own, so a busy capture sends no probes.
 */
final class BrokerProbe implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BrokerProbe.class);

    private final Admin admin;
    private final Duration interval;
    private final LongSupplier lastAckNanos;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "capture-broker-probe");
        t.setDaemon(true);
        return t;
    });
    private volatile boolean reachable = true;

    BrokerProbe(Map<String, Object> producerProperties, Duration interval, LongSupplier lastAckNanos) {
        Map<String, Object> p = new java.util.HashMap<>();
        for (String key : new String[] {AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, "security.protocol", "sasl.mechanism",
                "sasl.jaas.config", "ssl.truststore.location", "ssl.truststore.password", "ssl.truststore.type"}) {
            if (producerProperties.containsKey(key)) {
                p.put(key, producerProperties.get(key));
            }
        }
        p.put(AdminClientConfig.CLIENT_ID_CONFIG, "reflow-capture-probe");
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) interval.toMillis());
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) interval.toMillis());
        this.admin = Admin.create(p);
        this.interval = interval;
        this.lastAckNanos = lastAckNanos;
        timer.scheduleWithFixedDelay(this::probe, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** False once a probe failed, until a probe or an acknowledged write succeeds. */
    boolean reachable() {
        return reachable || System.nanoTime() - lastAckNanos.getAsLong() < interval.toNanos();
    }

    private void probe() {
        if (System.nanoTime() - lastAckNanos.getAsLong() < interval.toNanos()) {
            reachable = true;
            return;
        }
        try {
            int brokers = admin.describeCluster(new DescribeClusterOptions().timeoutMs((int) interval.toMillis()))
                    .nodes().get(interval.toMillis() * 2, TimeUnit.MILLISECONDS).size();
            setReachable(brokers > 0, brokers + " brokers");
        } catch (Exception e) {
            setReachable(false, e.toString());
        }
    }

    private void setReachable(boolean now, String why) {
        if (now != reachable) {
            LOG.warn("Kafka is {} ({})", now ? "reachable again" : "unreachable: capture reports itself not ready", why);
        }
        reachable = now;
    }

    @Override
    public void close() {
        timer.shutdownNow();
        admin.close(Duration.ofSeconds(5));
    }
}
