package dev.veil.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

class McpConfigTest {
    private static McpConfig load(String mcp) {
        return ConfigLoader.fromYaml("""
                server: {port: 8080}
                veil:
                  opa: {enabled: false}
                  master-key: test-master-key
                  providers: {veil: {kind: echo}}
                """ + (mcp.isEmpty() ? "" : "  mcp: " + mcp + "\n"), Map.of("CRM_TOKEN", "t0k")::get).mcp();
    }

    @Test
    void withoutTheSectionThereIsNoServerAndEveryDefault() {
        assertThat(load("")).isEqualTo(McpConfig.none());
        assertThat(McpConfig.none().decisionPath()).isEqualTo("veil/mcp/decision");
        assertThat(McpConfig.none().timeout()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void readsAnHttpAndAStdioServer() {
        McpConfig config = load("""
                {resource: "https://veil.example.com/mcp", timeout: 5s, servers: [
                    {name: crm, url: "https://crm.internal/mcp", headers: {Authorization: "Bearer ${CRM_TOKEN}"}},
                    {name: tickets, command: [python3, tickets.py], env: {LEVEL: debug}, timeout: 20s}]}""");

        assertThat(config.resource()).contains(URI.create("https://veil.example.com/mcp"));
        McpConfig.Server crm = config.server("crm").orElseThrow();
        assertThat(crm.stdio()).isFalse();
        assertThat(crm.timeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(crm.headers().get("Authorization").reveal()).isEqualTo("Bearer t0k");
        McpConfig.Server tickets = config.server("tickets").orElseThrow();
        assertThat(tickets.stdio()).isTrue();
        assertThat(tickets.command()).isEqualTo(List.of("python3", "tickets.py"));
        assertThat(tickets.env()).containsEntry("LEVEL", "debug");
        assertThat(tickets.timeout()).isEqualTo(Duration.ofSeconds(20));
    }

    @Test
    void aServerNeedsExactlyOneOfUrlAndCommand() {
        assertThatThrownBy(() -> load("{servers: [{name: crm}]}")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("veil.mcp.servers[0]").hasMessageContaining("needs url");
        assertThatThrownBy(() -> load("{servers: [{name: crm, url: \"http://a/mcp\", command: [x]}]}"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("keep one");
    }

    @Test
    void aNameWithAnUnderscoreIsRefusedForItWouldSplitToolNames() {
        assertThatThrownBy(() -> load("{servers: [{name: my_crm, url: \"http://a/mcp\"}]}"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("veil.mcp.servers[0].name")
                .hasMessageContaining("<server>__<tool>");
    }

    @Test
    void twoServersOfOneNameAreRefused() {
        assertThatThrownBy(() -> load("{servers: [{name: crm, url: \"http://a/mcp\"}, {name: crm, url: "
                + "\"http://b/mcp\"}]}")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("veil.mcp.servers[1].name");
    }

    @Test
    void aPinMustBeAHash() {
        assertThatThrownBy(() -> load("{servers: [{name: crm, url: \"http://a/mcp\", pins: {lookup: abc}}]}"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("veil.mcp.servers[0].pins.lookup");
    }

    @Test
    void boundsAreChecked() {
        assertThatThrownBy(() -> load("{max-sessions: 0}")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("veil.mcp.max-sessions");
        assertThatThrownBy(() -> load("{max-message-bytes: 10}")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("veil.mcp.max-message-bytes");
        assertThatThrownBy(() -> load("{max-json-depth: 2}")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("veil.mcp.max-json-depth");
    }

    @Test
    void anUnknownKeyIsRefused() {
        assertThatThrownBy(() -> load("{server: []}")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("veil.mcp.server");
    }

    @Test
    void headersBelongToHttpServersAndEnvToStdioOnes() {
        assertThatThrownBy(() -> load("{servers: [{name: t, command: [x], headers: {A: b}}]}"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("veil.mcp.servers[0].headers");
        assertThatThrownBy(() -> load("{servers: [{name: t, url: \"http://a/mcp\", env: {A: b}}]}"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("veil.mcp.servers[0].env");
        assertThat(load("{servers: [{name: t, url: \"http://a/mcp\"}]}").server("t").map(McpConfig.Server::env))
                .isEqualTo(Optional.of(Map.of()));
    }
}
