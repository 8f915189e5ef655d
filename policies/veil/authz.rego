# METADATA
# title: Who may use which models on which API surfaces
# description: |-
#   data.veil.settings.authz.rules is a list of grants:
#     {"tenant": "acme", "team": "support" (optional), "models": ["smart", "gpt-*"], "surfaces": ["openai.chat"] (optional),
#      "users": ["ana"] (optional: only callers whose token names one of these users, input.principal.user)}
#   A tenant without any grant may use everything; a tenant with grants may use only what one of them allows.
# schemas:
#   - input: schema.input
package veil.authz

import rego.v1

rules := data.veil.settings.authz.rules

tenant_rules := [rule | some rule in rules; rule.tenant == input.principal.tenant]

granted if count(tenant_rules) == 0

granted if {
	some rule in tenant_rules
	team_matches(rule)
	user_matches(rule)
	model_matches(rule)
	surface_matches(rule)
}

team_matches(rule) if not rule.team

team_matches(rule) if rule.team == input.principal.team

user_matches(rule) if not rule.users

user_matches(rule) if input.principal.user in rule.users

model_matches(rule) if {
	some pattern in rule.models
	glob.match(pattern, [], input.request.model)
}

surface_matches(rule) if not rule.surfaces

surface_matches(rule) if input.surface in rule.surfaces

deny contains reason if {
	not granted
	reason := sprintf("tenant %q, team %q may not use model %q on %s", [
		input.principal.tenant, input.principal.team, input.request.model, input.surface,
	])
}
