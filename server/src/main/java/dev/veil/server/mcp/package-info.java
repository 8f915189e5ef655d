/**
 * The MCP gateway: Veil as an MCP server (Streamable HTTP at {@code /mcp} and {@code /mcp/{server}}) in front of the
 * MCP servers of {@code veil.mcp.servers}, reached over Streamable HTTP or started as stdio processes. Entry points:
 * {@link dev.veil.server.mcp.McpGateway} (long-lived: upstreams, sessions, tool approvals, the pseudonym vault) and
 * {@link dev.veil.server.mcp.McpEndpoint} (the transport, one per running config); also
 * {@link dev.veil.server.mcp.ProtectedResource} (RFC 9728 metadata). Every tool passes its pinned definition, the
 * policy ({@code veil/mcp/decision}) and PII pseudonymization both ways, and leaves one audit record per call.
 */
package dev.veil.server.mcp;
