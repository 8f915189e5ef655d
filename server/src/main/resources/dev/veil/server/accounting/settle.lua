-- Settles one request: its token estimate in the key's request log becomes the actual count, each budget's
-- reservation becomes the actual cost, and the spend joins the stream the replicas move into the database.
-- KEYS: 1 the key's request log, 2 the tokens in it, 3 the spend stream, 4 the reservation's settled mark (kept two
--       minutes, so that a retry after a lost answer changes nothing), then per budget: its hash and its leases.
-- ARGV: 1 reservation id, 2 estimated tokens, 3 actual tokens, 4 budget count, then per budget: estimate micros,
--       actual micros; then the spend entry's fields as name, value pairs.
-- Returns {"ok", spent of budget 1, ...}; a spent of -1 names a budget Redis no longer holds; {"settled"} for a retry.
local reservation = ARGV[1]
local budgets = tonumber(ARGV[4])
if not redis.call('SET', KEYS[4], '1', 'NX', 'PX', 120000) then
  return {'settled'}
end

local logged = reservation .. ':' .. ARGV[2]
local admitted = redis.call('ZSCORE', KEYS[1], logged)
if admitted then
  redis.call('ZREM', KEYS[1], logged)
  redis.call('ZADD', KEYS[1], admitted, reservation .. ':' .. ARGV[3])
  redis.call('INCRBY', KEYS[2], tonumber(ARGV[3]) - tonumber(ARGV[2]))
end

local result = {'ok'}
for i = 1, budgets do
  local budget = KEYS[3 + 2 * i]
  local leases = KEYS[4 + 2 * i]
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
