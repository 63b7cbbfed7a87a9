package io.reflow.bench;

/**
 * One request body posthog-js really sent (a fixture), as the load generator replays it.
 *
 * @param target path and query string
 * @param decodedBytes the size of the JSON inside (after gunzip)
 */
record Body(String name, String target, String contentType, byte[] raw, int decodedBytes) {}
