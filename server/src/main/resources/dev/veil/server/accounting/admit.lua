-- Admits one request against the sliding-window rate limits of its key and of its user, and its budgets, all or
-- nothing, on Redis's clock.
-- KEYS: 1 the key's request log (sorted set: "<reservation>:<tokens>" scored by admission time in ms),
--       2 the tokens in that log, 3 the user's request log, 4 the tokens in it, then per budget: its hash
--       {spent, reserved} and its leases (sorted set: "<reservation>:<micros>" scored by lease expiry in ms).
-- ARGV: 1 reservation id, 2 key rpm (0: none), 3 key tpm (0: none), 4 estimated tokens, 5 lease ms, 6 budget count,
--       7 user rpm (0: none), 8 user tpm (0: none), then per budget: limit micros (0: no hard cap), estimate micros,
--       spent so far when Redis has no hash for it (-1: not read yet), seconds the hash is kept.
-- Returns {"ok", key's remaining requests, remaining tokens, reset ms, user's remaining requests, remaining tokens,
--       reset ms}, {"requests"|"tokens"|"user-requests"|"user-tokens", reset ms}, {"budget", budget index, spent},
--       or {"init", budget index} when Veil must read a budget's spend first.
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local reservation = ARGV[1]
local tokens = tonumber(ARGV[4])
local lease = tonumber(ARGV[5])
local budgets = tonumber(ARGV[6])
local FIRST = 8

local function amount(member)
  return tonumber(string.match(member, ':(%-?%d+)$'))
end

-- The key's window, then the user's: {log, tokens, rpm, tpm, refusal prefix}.
local windows = {
  {KEYS[1], KEYS[2], tonumber(ARGV[2]), tonumber(ARGV[3]), ''},
  {KEYS[3], KEYS[4], tonumber(ARGV[7]), tonumber(ARGV[8]), 'user-'},
}

-- A retry of an admission Redis already made (its answer was lost with the connection) admits again, unchanged.
if budgets > 0 and tonumber(ARGV[FIRST + 2]) > 0 then
  if redis.call('ZSCORE', KEYS[6], reservation .. ':' .. ARGV[FIRST + 2]) then
    return {'ok', -1, -1, 60000, -1, -1, 60000}
  end
else
  for _, w in ipairs(windows) do
    if (w[3] > 0 or w[4] > 0) and redis.call('ZSCORE', w[1], reservation .. ':' .. tokens) then
      return {'ok', -1, -1, 60000, -1, -1, 60000}
    end
  end
end

for i = 1, budgets do
  local budget = KEYS[3 + 2 * i]
  local leases = KEYS[4 + 2 * i]
  local base = FIRST + 4 * (i - 1)
  if redis.call('EXISTS', budget) == 0 then
    local spent = tonumber(ARGV[base + 3])
    if spent < 0 then
      return {'init', i}
    end
    redis.call('HSET', budget, 'spent', spent, 'reserved', 0)
    redis.call('EXPIRE', budget, tonumber(ARGV[base + 4]))
  end
  local expired = redis.call('ZRANGEBYSCORE', leases, '-inf', now)
  if #expired > 0 then
    local released = 0
    for _, member in ipairs(expired) do
      released = released + amount(member)
    end
    redis.call('HINCRBY', budget, 'reserved', -released)
    redis.call('ZREMRANGEBYSCORE', leases, '-inf', now)
  end
end

local result = {'ok'}
for _, w in ipairs(windows) do
  local log, used_key, rpm, tpm = w[1], w[2], w[3], w[4]
  local remainingRequests, remainingTokens, reset = -1, -1, 60000
  if rpm > 0 or tpm > 0 then
    local cutoff = now - 60000
    local gone = redis.call('ZRANGEBYSCORE', log, '-inf', cutoff)
    if #gone > 0 then
      local sum = 0
      for _, member in ipairs(gone) do
        sum = sum + amount(member)
      end
      redis.call('DECRBY', used_key, sum)
      redis.call('ZREMRANGEBYSCORE', log, '-inf', cutoff)
    end
    local count = redis.call('ZCARD', log)
    local used = tonumber(redis.call('GET', used_key) or '0')
    if count > 0 then
      local oldest = redis.call('ZRANGE', log, 0, 0, 'WITHSCORES')
      reset = tonumber(oldest[2]) + 60000 - now
    end
    if rpm > 0 and count >= rpm then
      return {w[5] .. 'requests', reset}
    end
    if tpm > 0 and used >= tpm then
      return {w[5] .. 'tokens', reset}
    end
    if rpm > 0 then
      remainingRequests = rpm - count - 1
    end
    if tpm > 0 then
      remainingTokens = math.max(0, tpm - used - tokens)
    end
  end
  result[#result + 1] = remainingRequests
  result[#result + 1] = remainingTokens
  result[#result + 1] = reset
end

for i = 1, budgets do
  local limit = tonumber(ARGV[FIRST + 4 * (i - 1) + 1])
  if limit > 0 then
    local state = redis.call('HMGET', KEYS[3 + 2 * i], 'spent', 'reserved')
    local spent = tonumber(state[1])
    if spent + tonumber(state[2]) >= limit then
      return {'budget', i, spent}
    end
  end
end

for _, w in ipairs(windows) do
  if w[3] > 0 or w[4] > 0 then
    redis.call('ZADD', w[1], now, reservation .. ':' .. tokens)
    redis.call('INCRBY', w[2], tokens)
    redis.call('PEXPIRE', w[1], 120000)
    redis.call('PEXPIRE', w[2], 120000)
  end
end
for i = 1, budgets do
  local base = FIRST + 4 * (i - 1)
  local estimate = tonumber(ARGV[base + 2])
  if estimate > 0 then
    redis.call('ZADD', KEYS[4 + 2 * i], now + lease, reservation .. ':' .. estimate)
    redis.call('HINCRBY', KEYS[3 + 2 * i], 'reserved', estimate)
    redis.call('EXPIRE', KEYS[4 + 2 * i], tonumber(ARGV[base + 4]))
  end
end
return result
