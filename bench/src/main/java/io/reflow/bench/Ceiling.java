package io.reflow.bench;

/**
 * The throughput of one component alone, in the load's units: requests (bodies) per second and MB/s of
 * decoded JSON those requests carry. {@code detail} says what was measured in the component's own units.
 */
record Ceiling(String name, double requestsPerSecond, double decodedMegabytesPerSecond, String detail) {}
