# METADATA
# title: Where data may go
# description: |-
#   - pii_rules: a request carrying PII of one of the listed types may only go to providers in the listed regions, or
#     (with or_zero_retention) to providers that retain nothing.
#   - regulated tenants (listed in settings, or labelled regulated=true on their key) always get zero retention.
#   - a data class from the x-veil-metadata header (metadata.data_class) may restrict providers, force zero
#     retention and set redaction modes.
#   - redact: redaction modes by PII type (pseudonymize, mask, hash, block) that override the redaction plugin's
#     config: settings.redact for every request, then the data class's own redact on top.
#   - conversation_state: where Veil may keep a conversation it holds for the client (Responses API state):
#     "disk" (encrypted, until its TTL), "memory" (a short TTL, nothing on disk) or "none" (a request that asks Veil
#     to keep state is refused). Under zero retention: settings.zero_retention_conversation_state (default
#     "memory"), or the data class's own conversation_state.
#
#   permitted is the list of candidates that pass every rule; deny explains an empty list.
# schemas:
#   - input: schema.input
package veil.compliance

import rego.v1

settings := data.veil.settings.compliance

regulated if input.principal.tenant in settings.regulated_tenants

regulated if input.principal.labels.regulated == "true"

data_classes := object.get(settings, "data_classes", {})

# The data class the client declared (x-veil-metadata data_class), matched as the zero-retention plugin matches it:
# case and surrounding spaces aside, so that "HEALTH " cannot slip past health. Settings name classes in lower case.
declared_class := lower(trim_space(input.request.metadata.data_class))

data_class := data_classes[declared_class]

# A declared class the settings do not know is refused, not treated as unrestricted: a typo ("helth"), or a class
# the client uses before the policy has caught up, would otherwise send the data anywhere.
unknown_data_class if {
	declared_class
	not data_class
}

default known_data_classes := "none"

known_data_classes := concat(", ", object.keys(data_classes)) if count(data_classes) > 0

default zero_retention := false

zero_retention if input.zero_retention == true

zero_retention if regulated

zero_retention if data_class.zero_retention == true

# The PII rules this request triggers.
triggered contains rule if {
	some rule in settings.pii_rules
	some type in rule.types
	input.pii[type] > 0
}

allowed_by_pii_rules(candidate) if {
	every rule in triggered {
		pii_rule_allows(rule, candidate)
	}
}

pii_rule_allows(rule, candidate) if candidate.region in rule.regions

pii_rule_allows(rule, candidate) if {
	rule.or_zero_retention == true
	candidate.zero_retention == true
}

allowed_by_retention(_) if not zero_retention

allowed_by_retention(candidate) if candidate.zero_retention == true

default data_class_redact := {}

data_class_redact := data_class.redact

redact := object.union(object.get(settings, "redact", {}), data_class_redact)

default conversation_state := "disk"

conversation_state := state if {
	zero_retention
	not data_class.conversation_state
	state := object.get(settings, "zero_retention_conversation_state", "memory")
}

conversation_state := data_class.conversation_state

allowed_by_data_class(_) if not declared_class

allowed_by_data_class(_) if count(object.get(data_class, "providers", [])) == 0

allowed_by_data_class(candidate) if candidate.provider in data_class.providers

permitted := [candidate |
	some candidate in input.candidates
	allowed_by_pii_rules(candidate)
	allowed_by_retention(candidate)
	allowed_by_data_class(candidate)
]

deny contains reason if {
	unknown_data_class
	reason := sprintf("data class %q is not one the policy knows (known: %s)", [declared_class, known_data_classes])
}

# No candidate passes, for a reason other than an unknown data class (which has its own).
none_permitted if {
	not unknown_data_class
	count(input.candidates) > 0
	count(permitted) == 0
}

deny contains reason if {
	none_permitted
	some rule in triggered
	reason := rule.reason
}

deny contains "zero retention is required, and no candidate provider retains nothing" if {
	none_permitted
	count(triggered) == 0
	zero_retention
}

deny contains reason if {
	none_permitted
	count(triggered) == 0
	not zero_retention
	reason := sprintf("data class %q may not go to any candidate provider", [declared_class])
}
