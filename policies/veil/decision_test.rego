package veil.decision_test

import rego.v1

import data.veil.decision

us := {"provider": "openai", "model": "gpt-4o", "region": "us", "zero_retention": false}

eu := {"provider": "mistral", "model": "mistral-large-latest", "region": "eu", "zero_retention": true}

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

test_unknown_input_version_is_denied if {
	not decision.allow with input as object.union(base, {"version": 2})
}

test_team_cap_reaches_the_decision if {
	decision.max_tokens == 256 with input as base
		with data.veil.settings.limits as {"teams": {"support": {"max_tokens": 256}}}
}
