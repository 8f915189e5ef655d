-- Admits one request against its key's sliding-window rate limits and its budgets, all or nothing, on Redis's clock.
-- KEYS: 1 the key's request log (sorted set: "<reservation>:<tokens>" scored by admission time in ms),
--       2 the tokens in that log, then per budget: its hash {spent, reserved} and its leases (sorted set:
--       "<reservation>:<micros>" scored by lease expiry in ms).
-- ARGV: 1 reservation id, 2 rpm (0: none), 3 tpm (0: none), 4 estimated tokens, 5 lease ms, 6 budget count, then
--       per budget: limit micros (0: no hard cap), estimate micros, spent so far when Redis has no hash for it (-1:
--       not read yet), seconds the hash is kept.
-- Returns {"ok", remaining requests, remaining tokens, reset ms}, {"requests"|"tokens", reset ms},
--       {"budget", budget index, spent}, or {"init", budget index} when Veil must read a budget's spend first.
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local reservation = ARGV[1]
local rpm = tonumber(ARGV[2])
local tpm = tonumber(ARGV[3])
local tokens = tonumber(ARGV[4])
local lease = tonumber(ARGV[5])
local budgets = tonumber(ARGV[6])

local function amount(member)
  return tonumber(string.match(member, ':(%-?%d+)$'))
end

-- A retry of an admission Redis already made (its answer was lost with the connection) admits again, unchanged.
if budgets > 0 and tonumber(ARGV[8]) > 0 then
  if redis.call('ZSCORE', KEYS[4], reservation .. ':' .. ARGV[8]) then
    return {'ok', -1, -1, 60000}
  end
elseif (rpm > 0 or tpm > 0) and redis.call('ZSCORE', KEYS[1], reservation .. ':' .. tokens) then
  return {'ok', -1, -1, 60000}
end

for i = 1, budgets do
  local budget = KEYS[1 + 2 * i]
  local leases = KEYS[2 + 2 * i]
  local base = 6 + 4 * (i - 1)
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

local limited = rpm > 0 or tpm > 0
local remainingRequests, remainingTokens, reset = -1, -1, 60000
if limited then
  local cutoff = now - 60000
  local gone = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', cutoff)
  if #gone > 0 then
    local sum = 0
    for _, member in ipairs(gone) do
      sum = sum + amount(member)
    end
    redis.call('DECRBY', KEYS[2], sum)
    redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', cutoff)
  end
  local count = redis.call('ZCARD', KEYS[1])
  local used = tonumber(redis.call('GET', KEYS[2]) or '0')
  if count > 0 then
    local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
    reset = tonumber(oldest[2]) + 60000 - now
  end
  if rpm > 0 and count >= rpm then
    return {'requests', reset}
  end
  if tpm > 0 and used >= tpm then
    return {'tokens', reset}
  end
  if rpm > 0 then
    remainingRequests = rpm - count - 1
  end
  if tpm > 0 then
    remainingTokens = math.max(0, tpm - used - tokens)
  end
end

for i = 1, budgets do
  local limit = tonumber(ARGV[6 + 4 * (i - 1) + 1])
  if limit > 0 then
    local state = redis.call('HMGET', KEYS[1 + 2 * i], 'spent', 'reserved')
    local spent = tonumber(state[1])
    if spent + tonumber(state[2]) >= limit then
      return {'budget', i, spent}
    end
  end
end

if limited then
  redis.call('ZADD', KEYS[1], now, reservation .. ':' .. tokens)
  redis.call('INCRBY', KEYS[2], tokens)
  redis.call('PEXPIRE', KEYS[1], 120000)
  redis.call('PEXPIRE', KEYS[2], 120000)
end
for i = 1, budgets do
  local base = 6 + 4 * (i - 1)
  local estimate = tonumber(ARGV[base + 2])
  if estimate > 0 then
    redis.call('ZADD', KEYS[2 + 2 * i], now + lease, reservation .. ':' .. estimate)
    redis.call('HINCRBY', KEYS[1 + 2 * i], 'reserved', estimate)
    redis.call('EXPIRE', KEYS[2 + 2 * i], tonumber(ARGV[base + 4]))
  end
end
return {'ok', remainingRequests, remainingTokens, reset}
