# METADATA
# title: Veil's decision for one request
# description: |-
#   Whether the request may proceed, why not, which targets in which order, an output token cap, whether zero
#   retention applies, PII redaction modes, where conversation state may be kept, and for how long Veil may reuse an
#   allow for requests that differ only in fields no rule reads (cache). Veil asks for this document (veil.opa.decision-path veil/decision)
#   with input version 1; docs/policy.md describes both, policies/schemas/input.jsonschema the input.
# entrypoint: true
# schemas:
#   - input: schema.input
package veil.decision

import rego.v1

import data.veil.authz
import data.veil.compliance
import data.veil.limits
import data.veil.routing

default allow := false

allow if {
	input.version == 1
	count(reasons) == 0
}

reasons contains reason if some reason in authz.deny

reasons contains reason if some reason in compliance.deny

reasons contains sprintf("policy input version %v is not supported; this policy reads version 1", [input.version]) if {
	input.version != 1
}

targets := [{"provider": c.provider, "model": c.model} | some c in routing.ordered(compliance.permitted)]

max_tokens := limits.max_tokens

zero_retention := compliance.zero_retention

redact := compliance.redact

conversation_state := compliance.conversation_state

# No rule of these policies reads the fields in ignore, so an allow holds for every request that differs from this one
# only in them: Veil reuses it for ttl_seconds (settings.decision_cache.ttl_seconds, 10 by default) without asking OPA
# again, and drops it at once when the policies or settings change. A rule that starts reading one of these fields
# must take it off the list (test_ignored_fields_do_not_change_the_decision guards it).
cache := {
	"ttl_seconds": object.get(data.veil.settings, ["decision_cache", "ttl_seconds"], 10),
	"ignore": ["request.estimated_input_tokens", "request.max_tokens", "request.stream", "request.tools"],
}
