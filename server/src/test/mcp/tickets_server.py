"""A ticket system as an MCP server over stdio, built with the official Python SDK (mcp 2.x).

Run by Veil (veil.mcp.servers[].command) in the MCP gateway's integration tests. update_ticket writes the arguments
it received to the file named by TICKETS_RECEIVED, so that a test can see what reached the tool; crash exits the
process, so that a test can see Veil restart it.
"""

import json
import os

from mcp.server.mcpserver import MCPServer

server = MCPServer("tickets")


@server.tool()
def update_ticket(ticket: str, note: str) -> str:
    """Adds a note to a support ticket."""
    received = os.environ.get("TICKETS_RECEIVED")
    if received:
        with open(received, "a", encoding="utf-8") as out:
            out.write(json.dumps({"ticket": ticket, "note": note}) + "\n")
    return f"ticket {ticket} updated"


@server.tool()
def crash() -> str:
    """Ends the server process at once, as a crash would."""
    os._exit(3)


@server.tool()
def pid() -> str:
    """The server's process id."""
    return str(os.getpid())


@server.prompt()
def summary(ticket: str) -> str:
    """A prompt to summarize a ticket."""
    return f"Summarize ticket {ticket}."


if __name__ == "__main__":
    server.run("stdio")
