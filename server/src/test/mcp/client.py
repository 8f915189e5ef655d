"""Runs the official Python MCP client (mcp 2.x) against a URL and prints what it saw as one JSON document: the MCP
gateway's integration tests drive it. Usage: python client.py '<plan>' with the plan of client.mjs; ops list, call.
"""

import asyncio
import json
import sys

import httpx2
from mcp.client.session import ClientSession
from mcp.client.streamable_http import streamable_http_client


async def run(plan):
    out = {"steps": []}
    async with httpx2.AsyncClient(headers=plan.get("headers", {})) as http:
        async with streamable_http_client(plan["url"], http_client=http) as streams:
            read, write = streams[0], streams[1]
            async with ClientSession(read, write) as session:
                init = await session.initialize()
                out["protocolVersion"] = init.protocol_version
                for step in plan["steps"]:
                    try:
                        if step["op"] == "list":
                            result = await session.list_tools()
                        elif step["op"] == "call":
                            result = await session.call_tool(step["name"], step.get("arguments", {}))
                        else:
                            raise ValueError("unknown op " + step["op"])
                        out["steps"].append({"result": result.model_dump(mode="json", by_alias=True,
                                                                         exclude_none=True)})
                    except Exception as e:  # noqa: BLE001 - every failure is a step's outcome
                        error = getattr(e, "error", None)
                        out["steps"].append({"error": {"code": getattr(error, "code", None), "message": str(e)}})
    return out


if __name__ == "__main__":
    print(json.dumps(asyncio.run(run(json.loads(sys.argv[1])))))
