package io.reflow.bench;

import java.util.List;

/** Records (or reads from the cache) corpus sessions and prints their sizes: {@code SITE SESSIONS SECONDS FIRST_SEED}. */
public final class RecordCorpus {
    private RecordCorpus() {}

    public static void main(String[] args) {
        List<RrwebCorpus.Session> sessions = RrwebCorpus.sessions(args[0], Integer.parseInt(args[1]), Integer.parseInt(args[2]),
                Integer.parseInt(args[3]));
        for (RrwebCorpus.Session s : sessions) {
            System.out.printf("%s %s: %d events, %.1f KB%n", s.site(), s.sessionId(), s.lines().size(), s.bytes() / 1024.0);
        }
    }
}
