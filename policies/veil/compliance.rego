# Where data may go.
#
# - pii_rules: a request carrying PII of one of the listed types may only go to providers in the listed regions, or
#   (with or_zero_retention) to providers that retain nothing.
# - regulated tenants (listed in settings, or labelled regulated=true on their key) always get zero retention.
# - a data class from the x-veil-metadata header (metadata.data_class) may restrict providers, force zero
#   retention and set redaction modes.
# - redact: redaction modes by PII type (pseudonymize, mask, hash, block) that override the redaction plugin's
#   config: settings.redact for every request, then the data class's own redact on top.
# permitted is the list of candidates that pass every rule; deny explains an empty list.
package veil.compliance

import rego.v1

settings := data.veil.settings.compliance

regulated if input.principal.tenant in settings.regulated_tenants

regulated if input.principal.labels.regulated == "true"

data_class := settings.data_classes[input.request.metadata.data_class]

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

allowed_by_data_class(_) if not data_class

allowed_by_data_class(_) if count(data_class.providers) == 0

allowed_by_data_class(candidate) if candidate.provider in data_class.providers

permitted := [candidate |
	some candidate in input.candidates
	allowed_by_pii_rules(candidate)
	allowed_by_retention(candidate)
	allowed_by_data_class(candidate)
]

deny contains reason if {
	count(input.candidates) > 0
	count(permitted) == 0
	some rule in triggered
	reason := rule.reason
}

deny contains "zero retention is required, and no candidate provider retains nothing" if {
	count(input.candidates) > 0
	count(permitted) == 0
	count(triggered) == 0
	zero_retention
}

deny contains reason if {
	count(input.candidates) > 0
	count(permitted) == 0
	count(triggered) == 0
	not zero_retention
	reason := sprintf("data class %q may not go to any candidate provider", [input.request.metadata.data_class])
}
