package io.reflow.capture;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/** UUIDv7 (time-ordered) for events that arrive without a uuid, as PostHog generates them. */
final class Uuids {
    private Uuids() {}

    static UUID v7(long epochMillis) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long msb = (epochMillis << 16) | 0x7000L | (random.nextLong() & 0x0FFFL);
        long lsb = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(msb, lsb);
    }
}
