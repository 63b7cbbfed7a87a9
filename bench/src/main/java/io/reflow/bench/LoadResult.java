package io.reflow.bench;

/**
 * What the load generator measured against one server.
 *
 * @param ok requests answered 200 (sent within the measurement window)
 * @param failed requests answered otherwise, or whose connection failed
 * @param decodedBytes the decoded (JSON) size of the bodies answered 200
 */
record LoadResult(long ok, long failed, double seconds, long decodedBytes, double p50Millis, double p99Millis, double maxMillis) {

    double requestsPerSecond() {
        return ok / seconds;
    }

    double decodedMegabytesPerSecond() {
        return decodedBytes / seconds / 1e6;
    }
}
