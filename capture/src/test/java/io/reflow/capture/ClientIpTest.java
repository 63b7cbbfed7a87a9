package io.reflow.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ClientIpTest {
    private static final TrustedProxies PROXIES = TrustedProxies.parse("10.0.0.0/8, 192.168.1.7, fd00::/8");

    @Test
    void forwardedForIsIgnoredUnlessThePeerIsATrustedProxy() {
        assertThat(ClientIp.of("203.0.113.9", "198.51.100.4", PROXIES)).isEqualTo("198.51.100.4");
        assertThat(ClientIp.of("203.0.113.9", "10.0.0.2", TrustedProxies.NONE)).isEqualTo("10.0.0.2");
        assertThat(ClientIp.of(null, "10.0.0.2", PROXIES)).isEqualTo("10.0.0.2");
    }

    @Test
    void behindTrustedProxiesTheClientIsTheRightmostUntrustedHop() {
        assertThat(ClientIp.of("203.0.113.9", "10.0.0.2", PROXIES)).isEqualTo("203.0.113.9");
        // the leftmost hop is whatever the client claimed: a spoofed header proves nothing
        assertThat(ClientIp.of("1.2.3.4, 203.0.113.9, 10.1.1.1", "10.0.0.2", PROXIES)).isEqualTo("203.0.113.9");
        assertThat(ClientIp.of("203.0.113.9, 192.168.1.7", "fd00::1", PROXIES)).isEqualTo("203.0.113.9");
        // only proxies all the way: the farthest one is the best we know
        assertThat(ClientIp.of("10.9.9.9, 192.168.1.7", "10.0.0.2", PROXIES)).isEqualTo("10.9.9.9");
        // garbage ends the walk at the last trusted hop
        assertThat(ClientIp.of("evil.example, 10.3.3.3", "10.0.0.2", PROXIES)).isEqualTo("10.3.3.3");
        assertThat(ClientIp.of(" ", "10.0.0.2", PROXIES)).isEqualTo("10.0.0.2");
        assertThat(ClientIp.of("2001:db8::5", "::ffff:10.0.0.2", PROXIES)).isEqualTo("2001:db8::5");
    }

    @Test
    void trustedProxiesAreCidrsOrAddresses() {
        assertThat(PROXIES.contains("10.255.0.1")).isTrue();
        assertThat(PROXIES.contains("11.0.0.1")).isFalse();
        assertThat(PROXIES.contains("192.168.1.7")).isTrue();
        assertThat(PROXIES.contains("192.168.1.8")).isFalse();
        assertThat(PROXIES.contains("fdab::1")).isTrue();
        assertThat(PROXIES.contains("fe00::1")).isFalse();
        assertThat(PROXIES.contains("not-an-ip")).isFalse();
        assertThat(TrustedProxies.parse("172.16.0.0/12").contains("172.31.255.255")).isTrue();
        assertThat(TrustedProxies.parse("172.16.0.0/12").contains("172.32.0.0")).isFalse();
        assertThat(TrustedProxies.parse("0.0.0.0/0").contains("8.8.8.8")).isTrue();
        assertThat(TrustedProxies.parse("").isEmpty()).isTrue();
        assertThatThrownBy(() -> TrustedProxies.parse("10.0.0.0/33")).hasMessageContaining("CAPTURE_TRUSTED_PROXIES");
        assertThatThrownBy(() -> TrustedProxies.parse("proxy.internal")).hasMessageContaining("CAPTURE_TRUSTED_PROXIES");
    }

    @Test
    void anonymisesToANetwork() {
        assertThat(ClientIp.anonymize("203.0.113.77")).isEqualTo("203.0.113.0");
        assertThat(ClientIp.anonymize("2001:db8:1234:5678:9abc::1")).isEqualTo("2001:db8:1234:0:0:0:0:0");
        assertThat(ClientIp.anonymize("not-an-ip.example")).isNull();
        assertThat(ClientIp.anonymize(null)).isNull();
    }
}
