package veil.limits_test

import rego.v1

import data.veil.limits

test_team_cap_applies if {
	limits.max_tokens == 512 with input as {"principal": {"team": "interns"}}
		with data.veil.settings.limits as {"teams": {"interns": {"max_tokens": 512}}}
}

test_other_teams_have_no_cap if {
	not limits.max_tokens with input as {"principal": {"team": "research"}}
		with data.veil.settings.limits as {"teams": {"interns": {"max_tokens": 512}}}
}
