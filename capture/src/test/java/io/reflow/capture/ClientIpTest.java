package io.reflow.capture;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ClientIpTest {
    @Test
    void takesTheFirstForwardedHop() {
        assertThat(ClientIp.of("203.0.113.9, 10.0.0.1", "10.0.0.2")).isEqualTo("203.0.113.9");
        assertThat(ClientIp.of(" ", "10.0.0.2")).isEqualTo("10.0.0.2");
        assertThat(ClientIp.of(null, "10.0.0.2")).isEqualTo("10.0.0.2");
    }

    @Test
    void anonymisesToANetwork() {
        assertThat(ClientIp.anonymize("203.0.113.77")).isEqualTo("203.0.113.0");
        assertThat(ClientIp.anonymize("2001:db8:1234:5678:9abc::1")).isEqualTo("2001:db8:1234:0:0:0:0:0");
        assertThat(ClientIp.anonymize("not-an-ip.example")).isNull();
        assertThat(ClientIp.anonymize(null)).isNull();
    }
}
