package veil.authz_test

import rego.v1

import data.veil.authz

request(tenant, team, model) := {
	"surface": "openai.chat",
	"principal": {"key_id": "k_1", "tenant": tenant, "team": team, "labels": {}},
	"request": {"model": model},
}

grants := {"authz": {"rules": [
	{"tenant": "acme", "team": "support", "models": ["smart", "gpt-*"]},
	{"tenant": "acme", "models": ["veil/echo"], "surfaces": ["openai.chat"]},
]}}

test_tenant_without_grants_may_use_anything if {
	count(authz.deny) == 0 with input as request("globex", "ops", "claude-3-5-sonnet")
		with data.veil.settings as grants
}

test_granted_model_is_allowed if {
	count(authz.deny) == 0 with input as request("acme", "support", "gpt-4o-mini")
		with data.veil.settings as grants
}

test_other_team_is_denied_for_a_team_grant if {
	count(authz.deny) == 1 with input as request("acme", "sales", "gpt-4o")
		with data.veil.settings as grants
}

test_tenant_wide_grant_applies_to_every_team if {
	count(authz.deny) == 0 with input as request("acme", "sales", "veil/echo")
		with data.veil.settings as grants
}

test_surface_restriction_is_enforced if {
	denied := authz.deny with input as object.union(request("acme", "sales", "veil/echo"), {"surface": "anthropic.messages"})
		with data.veil.settings as grants
	count(denied) == 1
}

test_reason_names_tenant_team_and_model if {
	some reason in authz.deny with input as request("acme", "sales", "gpt-4o")
		with data.veil.settings as grants
	contains(reason, "acme")
	contains(reason, "gpt-4o")
}

user_grants := {"authz": {"rules": [{"tenant": "bank", "team": "risk", "users": ["ana"], "models": ["smart"]}]}}

test_user_grant_allows_the_named_user if {
	count(authz.deny) == 0 with input as object.union(request("bank", "risk", "smart"), {"principal": {"user": "ana"}})
		with data.veil.settings as user_grants
}

test_user_grant_denies_another_user_of_the_team if {
	count(authz.deny) == 1 with input as object.union(request("bank", "risk", "smart"), {"principal": {"user": "bo"}})
		with data.veil.settings as user_grants
}

test_user_grant_denies_a_key_without_user if {
	count(authz.deny) == 1 with input as request("bank", "risk", "smart")
		with data.veil.settings as user_grants
}
