package io.reflow.capture;

/**
 * Holds up to {@code capacity} tokens and gains {@code capacity} per {@code periodNanos}, continuously. A take
 * succeeds when the bucket holds at least the amount (or is full, for an amount larger than the whole
 * bucket), and may leave it in debt, so a stream of large requests gets the configured rate and not more.
 */
final class TokenBucket {
    private final long capacity;
    private final double tokensPerNano;
    private double tokens;
    private long updatedNanos;

    TokenBucket(long capacity, long periodNanos, long nowNanos) {
        this.capacity = capacity;
        this.tokensPerNano = (double) capacity / periodNanos;
        this.tokens = capacity;
        this.updatedNanos = nowNanos;
    }

    long capacity() {
        return capacity;
    }

    synchronized boolean tryTake(long amount, long nowNanos) {
        long elapsed = nowNanos - updatedNanos;
        if (elapsed > 0) {
            tokens = Math.min(capacity, tokens + elapsed * tokensPerNano);
            updatedNanos = nowNanos;
        }
        if (tokens < Math.min(amount, capacity)) {
            return false;
        }
        tokens -= amount;
        return true;
    }
}
