package io.reflow.capture;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A team's session-recording options that posthog-js takes from the remote config: which share of sessions to
 * record, how long a session must last before it is sent, and what to mask or block in the recorder. Null means
 * "not set": the SDK's own default (or the site's client config) applies. {@code encrypt} is not sent to the SDK: it
 * asks the replay job to encrypt the team's recordings with per-session keys (docs/PRIVACY.md); capture stamps it on
 * every recording message.
 */
public record RecordingSettings(Double sampleRate, Long minimumDurationMs, Boolean maskAllInputs, String maskTextSelector,
                                String blockSelector, boolean consoleLogs, boolean encrypt) {
    public static final RecordingSettings DEFAULTS = new RecordingSettings(null, null, null, null, null, true, false);

    /** Recordings stored unencrypted. */
    public RecordingSettings(Double sampleRate, Long minimumDurationMs, Boolean maskAllInputs, String maskTextSelector,
                             String blockSelector, boolean consoleLogs) {
        this(sampleRate, minimumDurationMs, maskAllInputs, maskTextSelector, blockSelector, consoleLogs, false);
    }

    public RecordingSettings {
        if (sampleRate != null && !(sampleRate >= 0 && sampleRate <= 1)) {
            throw new IllegalArgumentException("recording.sample_rate must be between 0 and 1, got " + sampleRate);
        }
        if (minimumDurationMs != null && minimumDurationMs < 0) {
            throw new IllegalArgumentException("recording.minimum_duration_ms must not be negative, got " + minimumDurationMs);
        }
    }

    /** The {@code sessionRecording} object of the remote config and of {@code /decide/}. */
    Map<String, Object> remoteConfig(String endpoint) {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("endpoint", endpoint);
        config.put("consoleLogRecordingEnabled", consoleLogs);
        if (sampleRate != null) {
            // PostHog sends the rate as a decimal string; posthog-js accepts either
            config.put("sampleRate", String.format(java.util.Locale.ROOT, "%.2f", sampleRate));
        }
        if (minimumDurationMs != null) {
            config.put("minimumDurationMilliseconds", minimumDurationMs);
        }
        Map<String, Object> masking = new LinkedHashMap<>();
        if (maskAllInputs != null) {
            masking.put("maskAllInputs", maskAllInputs);
        }
        if (maskTextSelector != null) {
            masking.put("maskTextSelector", maskTextSelector);
        }
        if (blockSelector != null) {
            masking.put("blockSelector", blockSelector);
        }
        if (!masking.isEmpty()) {
            config.put("masking", masking);
        }
        return config;
    }
}
