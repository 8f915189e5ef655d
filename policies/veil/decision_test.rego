package veil.decision_test

import rego.v1

import data.veil.decision

us := {"provider": "openai", "model": "gpt-4o", "kind": "openai", "region": "us", "zero_retention": false}

eu := {"provider": "mistral", "model": "mistral-large-latest", "kind": "openai-compatible", "region": "eu", "zero_retention": true}

base := {
	"version": 1,
	"surface": "openai.chat",
	"principal": {"key_id": "k_1", "tenant": "acme", "team": "support", "labels": {}},
	"request": {"model": "smart", "stream": false, "metadata": {}},
	"pii": {},
	"zero_retention": false,
	"candidates": [us, eu],
}

test_default_policy_allows_an_ordinary_request if {
	decision.allow with input as base
	decision.reasons == set() with input as base
	decision.targets == [
		{"provider": "openai", "model": "gpt-4o"},
		{"provider": "mistral", "model": "mistral-large-latest"},
	] with input as base
	not decision.zero_retention with input as base
}

test_default_policy_keeps_payment_data_in_the_eu if {
	decision.targets == [{"provider": "mistral", "model": "mistral-large-latest"}] with input as object.union(base, {"pii": {"CREDIT_CARD": 1}})
}

test_denial_carries_the_reasons if {
	denied := object.union(base, {"pii": {"US_SSN": 2}, "candidates": [us]})
	not decision.allow with input as denied
	count(decision.reasons) == 1 with input as denied
}

test_unknown_input_version_is_denied_naming_the_version if {
	not decision.allow with input as object.union(base, {"version": 2})
	decision.reasons == {"policy input version 2 is not supported; this policy reads version 1"} with input as object.union(base, {"version": 2})
}

test_authorization_denial_reaches_the_decision if {
	not decision.allow with input as base
		with data.veil.settings.authz.rules as [{"tenant": "acme", "models": ["other-*"]}]
	decision.reasons == {`tenant "acme", team "support" may not use model "smart" on openai.chat`} with input as base
		with data.veil.settings.authz.rules as [{"tenant": "acme", "models": ["other-*"]}]
}

test_redaction_modes_reach_the_decision if {
	decision.redact == {"EMAIL": "mask"} with input as base
		with data.veil.settings.compliance.redact as {"EMAIL": "mask"}
}

test_conversation_state_reaches_the_decision if {
	decision.conversation_state == "memory" with input as object.union(base, {"zero_retention": true})
}

test_team_cap_reaches_the_decision if {
	decision.max_tokens == 256 with input as base
		with data.veil.settings.limits as {"teams": {"support": {"max_tokens": 256}}}
}

test_default_policy_denies_an_unknown_data_class if {
	unknown := object.union(base, {"request": {"model": "smart", "stream": false, "metadata": {"data_class": "payroll"}}})
	not decision.allow with input as unknown
	decision.reasons == {`data class "payroll" is not one the policy knows (known: health)`} with input as unknown
}

test_an_allow_may_be_reused_for_ten_seconds_by_default if {
	decision.cache.ttl_seconds == 10 with input as base
}

test_settings_set_how_long_an_allow_may_be_reused if {
	decision.cache.ttl_seconds == 2 with input as base
		with data.veil.settings.decision_cache.ttl_seconds as 2
}

# The request fields of base, with every field the cache directive ignores set to something else.
varied_request := {
	"model": "smart", "stream": true, "metadata": {}, "max_tokens": 100000, "estimated_input_tokens": 900000,
	"tools": ["search", "code_interpreter"],
}

varied_paths := {"request.stream", "request.max_tokens", "request.estimated_input_tokens", "request.tools"}

test_ignored_fields_do_not_change_the_decision if {
	every path in decision.cache.ignore {
		path in varied_paths
	}
	every document in [
		base,
		object.union(base, {"pii": {"CREDIT_CARD": 1}}),
		object.union(base, {"pii": {"US_SSN": 2}, "candidates": [us]}),
	] {
		decided(document) == decided(object.union(document, {"request": varied_request}))
	}
}

decided(document) := result if {
	result := object.remove(decision, ["cache"]) with input as document
}
