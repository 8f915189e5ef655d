# METADATA
# title: Veil's decision for one MCP request
# description: |-
#   Whether a caller may see or call a tool of an MCP server behind Veil's gateway, read its resources or get its
#   prompts, and why not. Veil asks for this document (veil.mcp.decision-path veil/mcp/decision) for every tool it
#   lists and every call; docs/mcp.md describes it, policies/schemas/mcp_input.jsonschema the input. Settings live
#   in data.veil.settings.mcp:
#     rules:        grants {"tenant", "team" (optional), "servers": [...], "tools": [globs]}; a tenant with grants may
#                   use only what one of them allows, a tenant without any may use everything not denied
#     deny:         {"tenant" (optional), "team" (optional), "server", "tools": [globs], "reason" (optional)}
#     pii_rules:    {"servers": [...], "types": [...], "reason"}: arguments holding these types may not go to these servers
#     data_classes: {"<class>": {"servers": [...], "zero_retention": bool}}: requests of a data class only to these servers
# entrypoint: true
# schemas:
#   - input: schema.mcp_input
package veil.mcp.decision

import rego.v1

settings := object.get(data.veil.settings, "mcp", {})

default allow := false

allow if {
	input.version == 1
	count(reasons) == 0
}

# The tool, prompt or resource asked about.
subject := object.get(input, "tool", object.get(input, "prompt", object.get(input, "resource", "*")))

kind := "tool" if input.tool

kind := "prompt" if input.prompt

kind := "resource" if input.resource

reasons contains sprintf("MCP policy input version %v is not supported; this policy reads version 1", [input.version]) if {
	input.version != 1
}

tenant_rules := [rule | some rule in object.get(settings, "rules", []); rule.tenant == input.principal.tenant]

granted if count(tenant_rules) == 0

granted if {
	some rule in tenant_rules
	team_matches(rule)
	input.server in rule.servers
	subject_matches(rule.tools)
}

team_matches(rule) if not rule.team

team_matches(rule) if rule.team == input.principal.team

tenant_matches(rule) if not rule.tenant

tenant_matches(rule) if rule.tenant == input.principal.tenant

subject_matches(patterns) if {
	some pattern in patterns
	glob.match(pattern, [], subject)
}

reasons contains reason if {
	not granted
	reason := sprintf("tenant %q, team %q may not use %s %q of MCP server %q", [
		input.principal.tenant, input.principal.team, kind, subject, input.server,
	])
}

reasons contains reason if {
	some rule in object.get(settings, "deny", [])
	tenant_matches(rule)
	team_matches(rule)
	rule.server == input.server
	subject_matches(rule.tools)
	reason := object.get(rule, "reason", sprintf("team %q may not use %s %q of MCP server %q", [
		input.principal.team, kind, subject, input.server,
	]))
}

reasons contains rule.reason if {
	some rule in object.get(settings, "pii_rules", [])
	input.server in rule.servers
	some type in rule.types
	input.pii[type] > 0
}

data_class := object.get(object.get(settings, "data_classes", {}), input.data_class, null)

reasons contains sprintf("data class %q may not reach MCP server %q", [input.data_class, input.server]) if {
	data_class != null
	not input.server in data_class.servers
}

zero_retention if data_class.zero_retention
