# METADATA
# title: Output token caps by team
# description: |-
#   settings.limits.teams[<team>].max_tokens. Veil lowers a request's limit to the cap, and sets it when the request
#   has none.
# schemas:
#   - input: schema.input
package veil.limits

import rego.v1

max_tokens := data.veil.settings.limits.teams[input.principal.team].max_tokens
