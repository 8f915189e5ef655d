package dev.veil.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import dev.veil.server.config.ConfigException;
import dev.veil.server.config.ConfigLoader;
import org.junit.jupiter.api.Test;

/** {@code veil.limits.max-upstream-event-bytes}: its default, and the range a config may set. */
class UpstreamLimitsTest {

    private static UpstreamLimits limits(String limits) {
        return UpstreamLimits.of(ConfigLoader.fromYaml("""
                veil:
                  opa: {enabled: false}
                  master-key: test-master-key
                  limits: {%s}
                  providers:
                    echo: {kind: echo}
                """.formatted(limits), Map.<String, String>of()::get));
    }

    @Test
    void boundsEventsAtSixteenMebibytesByDefault() {
        assertThat(limits("").maxEventBytes()).isEqualTo(16 * 1024 * 1024);
    }

    @Test
    void takesTheConfiguredBound() {
        assertThat(limits("max-upstream-event-bytes: 256KiB").maxEventBytes()).isEqualTo(256 * 1024);
    }

    @Test
    void rejectsABoundBelowOneKibibyte() {
        assertThatThrownBy(() -> limits("max-upstream-event-bytes: 100")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("veil.limits.max-upstream-event-bytes");
    }

    @Test
    void rejectsABoundAboveOneGibibyte() {
        assertThatThrownBy(() -> limits("max-upstream-event-bytes: 2GiB")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("veil.limits.max-upstream-event-bytes");
    }
}
