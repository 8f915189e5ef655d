package dev.veil.server.admin;

import java.util.Optional;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.veil.server.api.Routes;
import dev.veil.server.mcp.McpGateway;
import io.helidon.http.Method;
import io.helidon.webserver.http.ServerRequest;

/**
 * {@code /admin/mcp/tools}: the MCP gateway's tools with the hash of the definition each server serves and the hash
 * approved for it, and the approval of a changed definition. Both are role {@code admin} over every tenant: a tool
 * serves all of them. An approval is an audit record naming the old and the new hash.
 */
final class McpToolsResource {
    /** The body of {@code POST /admin/mcp/tools/{server}/{tool}/approve}. */
    record Approve(String hash) {
        static final Binder.Shape<Approve> SHAPE = new Binder.Shape<>(Set.of("hash"), body -> {
            String hash = body.text("hash").orElseThrow(() -> body.invalid("hash", "missing; send the hash GET "
                    + "/admin/mcp/tools shows for the tool"));
            if (!hash.matches("sha256:[0-9a-f]{64}")) {
                throw body.invalid("hash", "must be sha256: and 64 lower-case hex digits");
            }
            return new Approve(hash);
        });
    }

    private final AdminHandlers handlers;
    private final McpGateway mcp;

    McpToolsResource(AdminHandlers handlers, McpGateway mcp) {
        this.handlers = handlers;
        this.mcp = mcp;
    }

    void routes(Routes routes) {
        routes.local(Method.GET, "/admin/mcp/tools", handlers.json(200, Access.CONFIG, this::list))
                .local(Method.POST, "/admin/mcp/tools/{server}/{tool}/approve", handlers.change(200, Access.CONFIG,
                        "mcp.tool.approve", this::approve));
    }

    private JsonNode list(ServerRequest request, Authority authority) {
        authority.requireMaster();
        return mcp.describeTools();
    }

    private AdminHandlers.Changed approve(ServerRequest request, Authority authority) {
        authority.requireMaster();
        Approve body = handlers.body(request, Approve.SHAPE);
        String server = request.path().pathParameters().get("server");
        String tool = request.path().pathParameters().get("tool");
        McpGateway.Approval approval = mcp.approve(server, tool, body.hash(),
                authority.principal().caller().keyId());
        ObjectNode answer = AdminJson.object("mcp.tool_approval").put("server", server).put("tool", tool)
                .put("hash", approval.after());
        Optional<JsonNode> before = approval.before().map(hash -> AdminJson.object("mcp.tool_approval")
                .put("server", server).put("tool", tool).put("hash", hash));
        return new AdminHandlers.Changed(answer, before);
    }
}
