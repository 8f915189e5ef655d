package veil.mcp.decision_test

import rego.v1

import data.veil.mcp.decision

call(team, server, tool) := {
	"version": 1,
	"method": "tools/call",
	"principal": {"key_id": "k1", "tenant": "acme", "team": team, "labels": {}},
	"server": server,
	"tool": tool,
	"definition_hash": "sha256:00",
	"pii": {},
	"zero_retention": false,
	"metadata": {},
}

asking(question) := object.union(object.remove(call("support", "crm", "x"), ["tool"]), question)

deny_export := {"mcp": {"deny": [{
	"team": "support", "server": "crm", "tools": ["export_*"],
	"reason": "support may not export customers",
}]}}

grants := {"mcp": {"rules": [{"tenant": "acme", "team": "risk", "servers": ["crm"], "tools": ["*"]}]}}

pii := {"mcp": {"pii_rules": [{"servers": ["search"], "types": ["IBAN"], "reason": "no IBANs to web search"}]}}

classes := {"mcp": {"data_classes": {"health": {"servers": ["ehr"], "zero_retention": true}}}}

test_every_tool_allowed_without_settings if {
	decision.allow with input as call("support", "crm", "lookup_customer")
}

test_denied_tool_refused_for_the_team if {
	question := call("support", "crm", "export_customers")
	not decision.allow with input as question with data.veil.settings as deny_export
	decision.reasons == {"support may not export customers"} with input as question
		with data.veil.settings as deny_export
}

test_denied_tool_allowed_for_another_team if {
	decision.allow with input as call("risk", "crm", "export_customers") with data.veil.settings as deny_export
}

test_denial_without_reason_names_the_tool if {
	settings := {"mcp": {"deny": [{"tenant": "acme", "server": "crm", "tools": ["*"]}]}}
	reasons := decision.reasons with input as call("risk", "crm", "lookup") with data.veil.settings as settings
	reasons == {"team \"risk\" may not use tool \"lookup\" of MCP server \"crm\""}
}

test_tenant_with_grants_uses_only_granted_tools if {
	decision.allow with input as call("risk", "crm", "export_customers") with data.veil.settings as grants
	not decision.allow with input as call("support", "crm", "lookup") with data.veil.settings as grants
	not decision.allow with input as call("risk", "tickets", "update_ticket") with data.veil.settings as grants
}

test_ungranted_prompt_is_named if {
	reasons := decision.reasons with input as asking({"method": "prompts/get", "prompt": "summary"})
		with data.veil.settings as grants
	reasons == {"tenant \"acme\", team \"support\" may not use prompt \"summary\" of MCP server \"crm\""}
}

test_ungranted_resource_is_named if {
	reasons := decision.reasons with input as asking({"method": "resources/read", "resource": "crm://a"})
		with data.veil.settings as grants
	reasons == {"tenant \"acme\", team \"support\" may not use resource \"crm://a\" of MCP server \"crm\""}
}

test_pii_rule_refuses_arguments_with_the_type if {
	question := object.union(call("risk", "search", "web"), {"pii": {"IBAN": 1}})
	decision.reasons == {"no IBANs to web search"} with input as question with data.veil.settings as pii
	decision.allow with input as call("risk", "search", "web") with data.veil.settings as pii
}

test_data_class_reaches_only_its_servers if {
	health := object.union(call("risk", "crm", "lookup"), {"data_class": "health"})
	decision.reasons == {"data class \"health\" may not reach MCP server \"crm\""} with input as health
		with data.veil.settings as classes
	decision.allow with input as object.union(health, {"server": "ehr"}) with data.veil.settings as classes
	decision.zero_retention with input as object.union(health, {"server": "ehr"}) with data.veil.settings as classes
}

test_unknown_version_is_refused if {
	not decision.allow with input as object.union(call("risk", "crm", "lookup"), {"version": 2})
}
