# METADATA
# title: Which candidate goes first
# description: |-
#   - A percentage split (settings.routing.splits[<requested model>], a list of {provider, model, percent}) sends a
#     stable share of keys to a target: a key's bucket (0-99, from the SHA-256 of its id) picks it, so one key always
#     lands on the same side.
#   - A preferred region (the key's label region=..., else settings.routing.tenant_regions[<tenant>]) puts candidates
#     in that region before the others.
#   Targets the rules do not put first keep their order and remain fallbacks.
# schemas:
#   - input: schema.input
package veil.routing

import rego.v1

settings := data.veil.settings.routing

preferred_region := input.principal.labels.region

preferred_region := settings.tenant_regions[input.principal.tenant] if not input.principal.labels.region

hex_values := {
	"0": 0, "1": 1, "2": 2, "3": 3, "4": 4, "5": 5, "6": 6, "7": 7,
	"8": 8, "9": 9, "a": 10, "b": 11, "c": 12, "d": 13, "e": 14, "f": 15,
}

place_values := [4096, 256, 16, 1]

# The key's bucket, 0 to 99, from the first four hex digits of the SHA-256 of its id.
bucket := n % 100 if {
	digits := split(substring(crypto.sha256(input.principal.key_id), 0, 4), "")
	n := sum([product | some i, digit in digits; product := hex_values[digit] * place_values[i]])
}

splits := object.get(settings.splits, input.request.model, [])

# The split entry whose cumulative percentage range holds the key's bucket.
split_choice := splits[i] if {
	some i, _ in splits
	bucket >= sum([s.percent | some j, s in splits; j < i])
	bucket < sum([s.percent | some j, s in splits; j <= i])
}

chosen(candidate) if {
	candidate.provider == split_choice.provider
	candidate.model == split_choice.model
}

ordered(candidates) := array.concat(array.concat(first, preferred), rest) if {
	first := [c | some c in candidates; chosen(c)]
	preferred := [c | some c in candidates; not chosen(c); c.region == preferred_region]
	rest := [c | some c in candidates; not chosen(c); not c.region == preferred_region]
}
