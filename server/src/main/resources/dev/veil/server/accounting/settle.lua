-- Settles one request: its token estimate in the request logs of its key and its user becomes the actual count,
-- each budget's reservation becomes the actual cost, and the spend joins the stream the replicas move into the
-- database.
-- KEYS: 1 the key's request log, 2 the tokens in it, 3 the spend stream, 4 the reservation's settled mark (kept two
--       minutes, so that a retry after a lost answer changes nothing), 5 the user's request log, 6 the tokens in it,
--       then per budget: its hash and its leases.
-- ARGV: 1 reservation id, 2 estimated tokens, 3 actual tokens, 4 budget count, then per budget: estimate micros,
--       actual micros; then the spend entry's fields as name, value pairs.
-- Returns {"ok", spent of budget 1, ...}; a spent of -1 names a budget Redis no longer holds; {"settled"} for a retry.
local reservation = ARGV[1]
local budgets = tonumber(ARGV[4])
if not redis.call('SET', KEYS[4], '1', 'NX', 'PX', 120000) then
  return {'settled'}
end

local logged = reservation .. ':' .. ARGV[2]
for _, w in ipairs({{KEYS[1], KEYS[2]}, {KEYS[5], KEYS[6]}}) do
  local admitted = redis.call('ZSCORE', w[1], logged)
  if admitted then
    redis.call('ZREM', w[1], logged)
    redis.call('ZADD', w[1], admitted, reservation .. ':' .. ARGV[3])
    redis.call('INCRBY', w[2], tonumber(ARGV[3]) - tonumber(ARGV[2]))
  end
end

local result = {'ok'}
for i = 1, budgets do
  local budget = KEYS[5 + 2 * i]
  local leases = KEYS[6 + 2 * i]
  local estimate = tonumber(ARGV[4 + 2 * (i - 1) + 1])
  local actual = tonumber(ARGV[4 + 2 * (i - 1) + 2])
  if redis.call('EXISTS', budget) == 1 then
    if estimate > 0 and redis.call('ZREM', leases, reservation .. ':' .. estimate) == 1 then
      redis.call('HINCRBY', budget, 'reserved', -estimate)
    end
    result[i + 1] = redis.call('HINCRBY', budget, 'spent', actual)
  else
    result[i + 1] = -1
  end
end

local entry = {}
for i = 5 + 2 * budgets, #ARGV do
  entry[#entry + 1] = ARGV[i]
end
redis.call('XADD', KEYS[3], '*', unpack(entry))
return result
