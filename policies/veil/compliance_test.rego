package veil.compliance_test

import rego.v1

import data.veil.compliance

us := {"provider": "openai", "model": "gpt-4o", "kind": "openai", "region": "us", "zero_retention": false}

eu := {"provider": "mistral", "model": "mistral-large-latest", "kind": "openai-compatible", "region": "eu", "zero_retention": false}

zdr := {"provider": "azure", "model": "gpt-4o", "kind": "azure-openai", "region": "us", "zero_retention": true}

settings := {"compliance": {
	"regulated_tenants": ["bank"],
	"pii_rules": [{"types": ["US_SSN"], "regions": ["eu"], "or_zero_retention": true, "reason": "SSNs stay in the EU"}],
	"data_classes": {
		"health": {"providers": ["azure"], "zero_retention": true},
		"hr": {"providers": [], "redact": {"PERSON": "block", "EMAIL": "hash"}},
		"legal": {"providers": [], "zero_retention": true, "conversation_state": "none"},
	},
	"redact": {"EMAIL": "mask"},
}}

request(tenant, labels, pii, metadata) := {
	"surface": "openai.chat",
	"principal": {"key_id": "k_1", "tenant": tenant, "team": "t", "labels": labels},
	"request": {"model": "smart", "metadata": metadata},
	"pii": pii,
	"zero_retention": false,
	"candidates": [us, eu, zdr],
}

test_without_pii_every_candidate_is_permitted if {
	compliance.permitted == [us, eu, zdr] with input as request("acme", {}, {}, {})
		with data.veil.settings as settings
}

test_pii_rule_keeps_eu_and_zero_retention_providers if {
	compliance.permitted == [eu, zdr] with input as request("acme", {}, {"US_SSN": 1}, {})
		with data.veil.settings as settings
}

test_pii_of_other_types_does_not_trigger_the_rule if {
	compliance.permitted == [us, eu, zdr] with input as request("acme", {}, {"EMAIL": 3}, {})
		with data.veil.settings as settings
}

test_pii_rule_with_no_permitted_candidate_denies_with_its_reason if {
	denied := compliance.deny with input as object.union(request("acme", {}, {"US_SSN": 1}, {}), {"candidates": [us]})
		with data.veil.settings as settings
	denied == {"SSNs stay in the EU"}
}

test_regulated_tenant_gets_zero_retention if {
	compliance.zero_retention with input as request("bank", {}, {}, {})
		with data.veil.settings as settings
	compliance.permitted == [zdr] with input as request("bank", {}, {}, {})
		with data.veil.settings as settings
}

test_regulated_label_gets_zero_retention if {
	compliance.zero_retention with input as request("acme", {"regulated": "true"}, {}, {})
		with data.veil.settings as settings
}

test_client_asking_for_zero_retention_gets_it if {
	compliance.permitted == [zdr] with input as object.union(request("acme", {}, {}, {}), {"zero_retention": true})
		with data.veil.settings as settings
}

test_unregulated_tenant_does_not_get_zero_retention if {
	not compliance.zero_retention with input as request("acme", {}, {}, {})
		with data.veil.settings as settings
}

test_data_class_restricts_providers if {
	compliance.permitted == [zdr] with input as request("acme", {}, {}, {"data_class": "health"})
		with data.veil.settings as settings
}

test_data_class_matches_ignoring_case_and_surrounding_spaces if {
	compliance.permitted == [zdr] with input as request("acme", {}, {}, {"data_class": " HEALTH "})
		with data.veil.settings as settings
	compliance.zero_retention with input as request("acme", {}, {}, {"data_class": " HEALTH "})
		with data.veil.settings as settings
}

test_data_class_without_providers_restricts_no_provider if {
	compliance.permitted == [us, eu, zdr] with input as request("acme", {}, {}, {"data_class": "public"})
		with data.veil.settings.compliance.data_classes as {"public": {}}
}

test_data_class_leaving_no_candidate_denies_naming_it if {
	denied := compliance.deny with input as object.union(request("acme", {}, {}, {"data_class": "cards"}), {"candidates": [us]})
		with data.veil.settings.compliance.data_classes as {"cards": {"providers": ["azure"]}}
	denied == {`data class "cards" may not go to any candidate provider`}
}

test_required_zero_retention_without_such_a_candidate_denies if {
	denied := compliance.deny with input as object.union(request("bank", {}, {}, {}), {"candidates": [us, eu]})
		with data.veil.settings as settings
	denied == {"zero retention is required, and no candidate provider retains nothing"}
}

test_unknown_data_class_is_denied_naming_the_known_ones if {
	denied := compliance.deny with input as request("acme", {}, {}, {"data_class": "helth"})
		with data.veil.settings as settings
	denied == {`data class "helth" is not one the policy knows (known: health, hr, legal)`}
}

test_unknown_data_class_permits_no_candidate if {
	compliance.permitted == [] with input as request("acme", {}, {}, {"data_class": "helth"})
		with data.veil.settings as settings
}

test_unknown_data_class_is_the_only_reason_given if {
	denied := compliance.deny with input as request("acme", {}, {"US_SSN": 1}, {"data_class": "helth"})
		with data.veil.settings as settings
	count(denied) == 1
}

test_without_data_class_settings_every_declared_class_is_unknown if {
	denied := compliance.deny with input as request("acme", {}, {}, {"data_class": "health"})
		with data.veil.settings as {"compliance": {"regulated_tenants": [], "pii_rules": []}}
	denied == {`data class "health" is not one the policy knows (known: none)`}
}

test_request_without_a_data_class_is_not_denied_for_it if {
	count(compliance.deny) == 0 with input as request("acme", {}, {}, {"use_case": "support"})
		with data.veil.settings as settings
}

test_settings_redact_applies_to_every_request if {
	compliance.redact == {"EMAIL": "mask"} with input as request("acme", {}, {}, {})
		with data.veil.settings as settings
}

test_data_class_redact_overrides_settings_redact if {
	compliance.redact == {"EMAIL": "hash", "PERSON": "block"} with input as request("acme", {}, {}, {"data_class": "hr"})
		with data.veil.settings as settings
}

test_conversation_state_is_kept_on_disk_without_zero_retention if {
	compliance.conversation_state == "disk" with input as request("acme", {}, {}, {})
		with data.veil.settings as settings
}

test_conversation_state_is_kept_in_memory_under_zero_retention if {
	compliance.conversation_state == "memory" with input as request("bank", {}, {}, {})
		with data.veil.settings as settings
}

test_settings_choose_the_conversation_state_under_zero_retention if {
	compliance.conversation_state == "none" with input as request("bank", {}, {}, {})
		with data.veil.settings as {"compliance": object.union(settings.compliance, {"zero_retention_conversation_state": "none"})}
}

test_data_class_chooses_its_conversation_state if {
	compliance.conversation_state == "none" with input as request("acme", {}, {}, {"data_class": "legal"})
		with data.veil.settings as settings
}

test_without_redact_settings_nothing_is_overridden if {
	compliance.redact == {} with input as request("acme", {}, {}, {})
		with data.veil.settings as {"compliance": {"regulated_tenants": [], "pii_rules": [], "data_classes": {}}}
}

# Declared classes are matched in lower case, so a configured name that is not could never be used.
test_configured_data_class_names_are_lower_case if {
	every name, _ in data.veil.settings.compliance.data_classes {
		name == lower(trim_space(name))
	}
}
