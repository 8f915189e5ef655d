package dev.veil.server.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.veil.server.testing.LocalProcesses;
import dev.veil.server.testing.VeilUnderTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** With OPA unreachable, the MCP gateway lists no tool and calls none: there is no fail-open for tools. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class McpFailClosedTest {
    private McpParts.CrmServer crm;
    private VeilUnderTest veil;

    @BeforeAll
    void start() throws Exception {
        crm = new McpParts.CrmServer();
        Path dir = Files.createTempDirectory("veil-mcp-closed");
        veil = VeilUnderTest.start("""
                server: {host: 127.0.0.1, port: 0}
                veil:
                  master-key: %s
                  data-dir: "%s"
                  opa: {url: "http://127.0.0.1:%d", timeout: 200ms, fail-mode: open}
                  providers: {veil: {kind: echo}}
                  mcp:
                    servers:
                      - {name: crm, url: "%s"}
                """.formatted(VeilUnderTest.MASTER_KEY, dir, LocalProcesses.freePort(), crm.url()));
    }

    @AfterAll
    void stop() throws Exception {
        if (veil != null) {
            veil.close();
        }
        if (crm != null) {
            crm.close();
        }
    }

    @Test
    void listAndCallAreRefusedWhenThePolicyCannotDecideEvenUnderFailOpen() throws Exception {
        ObjectNode plan = McpParts.JSON.createObjectNode().put("url", veil.baseUrl() + "/mcp");
        plan.putObject("headers").put("Authorization", "Bearer " + VeilUnderTest.MASTER_KEY);
        plan.putArray("steps").add(McpParts.JSON.createObjectNode().put("op", "list"))
                .add(McpParts.JSON.readTree("{\"op\": \"call\", \"name\": \"crm__export_customers\"}"));

        JsonNode run = McpParts.client(plan);

        assertThat(run.path("steps").get(0).path("error").path("code").asInt()).as(run.toString())
                .isEqualTo(McpError.POLICY_UNAVAILABLE);
        assertThat(run.path("steps").get(1).path("error").path("code").asInt()).as(run.toString())
                .isEqualTo(McpError.POLICY_UNAVAILABLE);
    }

}
