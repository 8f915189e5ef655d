package veil.routing_test

import rego.v1

import data.veil.routing

us := {"provider": "openai", "model": "gpt-4o", "kind": "openai", "region": "us", "zero_retention": false}

eu := {"provider": "mistral", "model": "mistral-large-latest", "kind": "openai-compatible", "region": "eu", "zero_retention": false}

cheap := {"provider": "deepseek", "model": "deepseek-chat", "kind": "openai-compatible", "region": "cn", "zero_retention": false}

request(key_id, tenant, labels) := {
	"principal": {"key_id": key_id, "tenant": tenant, "team": "t", "labels": labels},
	"request": {"model": "smart"},
}

test_without_preferences_order_is_kept if {
	routing.ordered([us, eu, cheap]) == [us, eu, cheap] with input as request("k_1", "acme", {})
		with data.veil.settings.routing as {"splits": {}, "tenant_regions": {}}
}

test_region_label_puts_its_region_first if {
	routing.ordered([us, eu, cheap]) == [eu, us, cheap] with input as request("k_1", "acme", {"region": "eu"})
		with data.veil.settings.routing as {"splits": {}, "tenant_regions": {}}
}

test_tenant_region_applies_without_a_label if {
	routing.ordered([us, eu]) == [eu, us] with input as request("k_1", "eurocorp", {})
		with data.veil.settings.routing as {"splits": {}, "tenant_regions": {"eurocorp": "eu"}}
}

test_bucket_is_stable_and_within_range if {
	b1 := routing.bucket with input as request("k_42", "acme", {})
	b2 := routing.bucket with input as request("k_42", "acme", {})
	b1 == b2
	b1 >= 0
	b1 < 100
}

test_a_full_split_always_chooses_its_target if {
	routing.ordered([us, cheap]) == [cheap, us] with input as request("k_1", "acme", {})
		with data.veil.settings.routing as {"splits": {"smart": [{"provider": "deepseek", "model": "deepseek-chat", "percent": 100}]}, "tenant_regions": {}}
}

test_an_empty_split_never_chooses_its_target if {
	routing.ordered([us, cheap]) == [us, cheap] with input as request("k_1", "acme", {})
		with data.veil.settings.routing as {"splits": {"smart": [{"provider": "deepseek", "model": "deepseek-chat", "percent": 0}]}, "tenant_regions": {}}
}

# Over many keys, a 10% split chooses its target for roughly a tenth of them.
test_a_ten_percent_split_takes_about_a_tenth_of_keys if {
	chosen := [k |
		some k in numbers.range(1, 1000)
		first := routing.ordered([us, cheap]) with input as request(sprintf("k_%d", [k]), "acme", {})
			with data.veil.settings.routing as {"splits": {"smart": [{"provider": "deepseek", "model": "deepseek-chat", "percent": 10}]}, "tenant_regions": {}}
		first[0] == cheap
	]
	count(chosen) > 60
	count(chosen) < 140
}
