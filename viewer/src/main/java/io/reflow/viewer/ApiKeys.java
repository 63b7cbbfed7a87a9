package io.reflow.viewer;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Personal API keys and the projects (team ids) each may read, parsed from {@code key=1,2;other-key=3}.
 * Keys are compared in constant time.
 */
public record ApiKeys(Map<String, Set<Long>> teamsByKey) {
    public ApiKeys {
        teamsByKey = Map.copyOf(teamsByKey);
    }

    public static ApiKeys parse(String spec) {
        Map<String, Set<Long>> keys = new LinkedHashMap<>();
        for (String entry : spec.split(";")) {
            if (entry.isBlank()) {
                continue;
            }
            int eq = entry.indexOf('=');
            if (eq <= 0 || eq == entry.length() - 1) {
                throw new IllegalArgumentException("an API key entry is key=team[,team…], got '" + redact(entry) + "'");
            }
            String key = entry.substring(0, eq).trim();
            if (key.length() < 8) {
                throw new IllegalArgumentException("API keys must have at least 8 characters");
            }
            Set<Long> teams = new TreeSet<>();
            for (String t : entry.substring(eq + 1).split(",")) {
                try {
                    teams.add(Long.parseLong(t.trim()));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("team ids are numbers, got '" + t.trim() + "' for key " + redact(key));
                }
            }
            keys.put(key, Set.copyOf(teams));
        }
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("no API keys configured");
        }
        return new ApiKeys(keys);
    }

    /** The teams the key may read; empty for an unknown key. */
    public Set<Long> teamsOf(String presented) {
        byte[] p = presented.getBytes(StandardCharsets.UTF_8);
        Set<Long> found = Set.of();
        for (Map.Entry<String, Set<Long>> e : teamsByKey.entrySet()) {
            if (MessageDigest.isEqual(p, e.getKey().getBytes(StandardCharsets.UTF_8))) {
                found = e.getValue();
            }
        }
        return found;
    }

    private static String redact(String s) {
        return s.length() <= 4 ? "…" : s.substring(0, 4) + "…";
    }

    @Override
    public String toString() {
        return "ApiKeys[" + teamsByKey.size() + " keys]";
    }
}
