// Runs the official TypeScript MCP client against a URL and prints what it saw as one JSON document: the MCP
// gateway's integration tests drive it. Usage: node client.mjs '<plan>' where the plan is
//   {"url": "...", "headers": {...}, "steps": [{"op": "list"} | {"op": "call", "name": "...", "arguments": {...},
//    "progress": true, "abortOnProgress": true} | {"op": "prompts"} | {"op": "prompt", "name": "...", "arguments": {...}} |
//    {"op": "resources"} | {"op": "read", "uri": "..."}]}
// Each step's outcome is {"result": ...} or {"error": {"code", "message", "data"}}; progress notifications a call
// received are in its "progress".
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

const plan = JSON.parse(process.argv[2]);
const transport = new StreamableHTTPClientTransport(new URL(plan.url), { requestInit: { headers: plan.headers ?? {} } });
const client = new Client({ name: 'veil-test-client', version: '1.0.0' });
const out = { steps: [] };
try {
    await client.connect(transport);
    out.protocolVersion = transport.protocolVersion ?? null;
    out.sessionId = transport.sessionId ?? null;
    out.serverVersion = client.getServerVersion();
    for (const step of plan.steps) {
        const progress = [];
        try {
            let result;
            switch (step.op) {
                case 'list': result = await client.listTools(step.cursor ? { cursor: step.cursor } : undefined); break;
                case 'call': {
                    // abortOnProgress: the client gives up once the first progress arrives, and says so upstream.
                    const abort = new AbortController();
                    const options = step.progress ? { onprogress: (p) => {
                        progress.push(p);
                        if (step.abortOnProgress) abort.abort('enough');
                    }, signal: abort.signal } : undefined;
                    result = await client.callTool({ name: step.name, arguments: step.arguments ?? {} }, undefined,
                        options);
                    break;
                }
                case 'prompts': result = await client.listPrompts(); break;
                case 'prompt': result = await client.getPrompt({ name: step.name, arguments: step.arguments ?? {} }); break;
                case 'resources': result = await client.listResources(); break;
                case 'read': result = await client.readResource({ uri: step.uri }); break;
                case 'ping': result = await client.ping(); break;
                default: throw new Error(`unknown op ${step.op}`);
            }
            out.steps.push({ result, progress });
        } catch (e) {
            out.steps.push({ error: { code: e.code ?? null, message: e.message, data: e.data ?? null }, progress });
        }
    }
    await transport.terminateSession().catch(() => {});
    await client.close();
} catch (e) {
    out.error = { code: e.code ?? null, message: e.message };
}
console.log(JSON.stringify(out));
