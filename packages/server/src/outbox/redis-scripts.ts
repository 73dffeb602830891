/**
 * Lua scripts of the Redis Streams outbox. Every state transition of an entry (stream → delayed set,
 * delayed set → stream, stream → dead stream, dead stream → stream) runs inside one script, so Redis
 * executes it atomically: an entry is always in exactly one place, never in none.
 *
 * Stream entry fields: `e` event JSON, `t` enqueuedAt (epoch ms), `a` attempts.
 * Delayed set member: `<attempts>|<enqueuedAt>|<old id>|<event JSON>`, score = notBefore (epoch ms).
 * Dead stream fields: `e`, `t`, `a`, `err` (DeadLetterError JSON), `d` deadLetteredAt, `oid` old id.
 */
import { hash } from 'node:crypto';

export interface LuaScript {
  readonly lua: string;
  readonly sha: string;
}

function script(lua: string): LuaScript {
  return { lua, sha: hash('sha1', lua) };
}

const FIELDS_TO_MAP = `
local function fmap(arr)
  local m = {}
  for i = 1, #arr, 2 do m[arr[i]] = arr[i + 1] end
  return m
end
`;

const ENSURE_GROUP = `
local function ensure_group(key, group)
  if redis.call('EXISTS', key) == 0 then
    redis.call('XGROUP', 'CREATE', key, group, '0', 'MKSTREAM')
  end
end
`;

/**
 * Delivery must keep running when Redis is at maxmemory (noeviction): it is what frees memory. Redis refuses
 * a memory-growing command in a script only while the script has not written anything yet (6.2 and 7.x;
 * 7's `allow-oom` shebang flag does not exist in 6.2), so delivery scripts start with a write that changes
 * nothing. Each moves entries (claim: delayed → stream; retry: stream → delayed; dead-letter: stream → dead
 * stream, evicting the oldest), so memory does not grow with them. Enqueue and replay keep Redis's refusal.
 */
const WRITE_FIRST = (key: string) => `redis.call('ZREM', ${key}, '')\n`;

/**
 * KEYS[1] = destinations set; then per destination i: KEYS[2i] = events stream, KEYS[2i+1] = delayed zset.
 * ARGV: maxDepth, now, group, ndest, then per destination: destId, n, n event JSONs.
 * Checks every destination's bound first, then writes: all or nothing.
 * Returns {'ok'} or {'full', destId, depth}.
 */
export const ENQUEUE = script(`${ENSURE_GROUP}
local max = tonumber(ARGV[1])
local now = ARGV[2]
local group = ARGV[3]
local ndest = tonumber(ARGV[4])
local p = 5
for i = 1, ndest do
  local n = tonumber(ARGV[p + 1])
  local depth = redis.call('XLEN', KEYS[2 * i]) + redis.call('ZCARD', KEYS[2 * i + 1])
  if depth + n > max then return {'full', ARGV[p], depth} end
  p = p + 2 + n
end
p = 5
for i = 1, ndest do
  local ev = KEYS[2 * i]
  local n = tonumber(ARGV[p + 1])
  ensure_group(ev, group)
  redis.call('SADD', KEYS[1], ARGV[p])
  for j = 1, n do
    redis.call('XADD', ev, '*', 'e', ARGV[p + 1 + j], 't', now, 'a', '0')
  end
  p = p + 2 + n
end
return {'ok'}
`);

/**
 * KEYS: events stream, delayed zset. ARGV: group, consumer, max, leaseMs, now, leaseHorizon.
 * 1. moves up to `max` due delayed entries back to the stream (new ids);
 * 2. XAUTOCLAIMs entries whose lease expired (crashed or slow instances);
 * 3. XREADGROUP (non-blocking) new entries for the rest;
 * 4. records the lease of everything claimed in the PEL itself: XCLAIM … IDLE (horizon − leaseMs), so the
 *    entry's idle time reaches `horizon` exactly when its own lease ends. XAUTOCLAIM then uses
 *    min-idle = horizon for every claimer, whatever lease the holder chose.
 * Returns a flat list, 4 items per entry: id, attempts, enqueuedAt, event JSON (cheap to parse client-side).
 */
export const CLAIM = script(`${ENSURE_GROUP}${FIELDS_TO_MAP}
local ev, dl = KEYS[1], KEYS[2]
${WRITE_FIRST('dl')}
local group, consumer = ARGV[1], ARGV[2]
local max = tonumber(ARGV[3])
local lease = tonumber(ARGV[4])
local now = ARGV[5]
local horizon = tonumber(ARGV[6])
ensure_group(ev, group)
local due = redis.call('ZRANGEBYSCORE', dl, '-inf', now, 'LIMIT', 0, max)
for _, m in ipairs(due) do
  local a, t, _old, e = string.match(m, '^(%d+)|(%d+)|([^|]*)|(.*)$')
  redis.call('XADD', ev, '*', 'e', e, 't', t, 'a', a)
  redis.call('ZREM', dl, m)
end
local out = {}
local count = 0
local function push(entry)
  local f = fmap(entry[2])
  out[#out + 1] = entry[1]
  out[#out + 1] = f['a'] or '0'
  out[#out + 1] = f['t'] or '0'
  out[#out + 1] = f['e'] or ''
end
local cursor = '0-0'
local iter = 0
repeat
  local r = redis.call('XAUTOCLAIM', ev, group, consumer, horizon, cursor, 'COUNT', max - count)
  cursor = r[1]
  for _, entry in ipairs(r[2]) do
    if entry[2] then
      push(entry)
      count = count + 1
    end
  end
  iter = iter + 1
until cursor == '0-0' or count >= max or iter >= 20
if count < max then
  local r = redis.call('XREADGROUP', 'GROUP', group, consumer, 'COUNT', max - count, 'STREAMS', ev, '>')
  if r then
    for _, entry in ipairs(r[1][2]) do push(entry) end
  end
end
if #out > 0 then
  -- unpack() expands only as the last argument, so build the whole argument list.
  local args = {ev, group, consumer, 0}
  for i = 1, #out, 4 do args[#args + 1] = out[i] end
  args[#args + 1] = 'IDLE'
  args[#args + 1] = horizon - lease
  args[#args + 1] = 'JUSTID'
  redis.call('XCLAIM', unpack(args))
end
return out
`);

/** KEYS: events stream. ARGV: group, ids... Removes delivered entries (XACK + XDEL). Returns XDEL count. */
export const ACK = script(`
local ids = {}
for i = 2, #ARGV do ids[#ids + 1] = ARGV[i] end
redis.call('XACK', KEYS[1], ARGV[1], unpack(ids))
return redis.call('XDEL', KEYS[1], unpack(ids))
`);

/**
 * The lease check shared by RETRY_LATER and DEAD_LETTER (needs FIELDS_TO_MAP before it). For each id in
 * ARGV[first], ARGV[first + step], … still pending in `group` and leased by `consumer` (not reclaimed by
 * another instance): calls move(id, fields, i) if the entry still exists, then XACKs and XDELs it.
 * Returns how many were moved.
 */
const MOVE_OWNED = `
local function move_owned(ev, group, consumer, first, step, move)
  local moved = 0
  for i = first, #ARGV, step do
    local id = ARGV[i]
    local p = redis.call('XPENDING', ev, group, id, id, 1)
    if p[1] ~= nil and p[1][2] == consumer then
      local r = redis.call('XRANGE', ev, id, id)
      if r[1] then
        move(id, fmap(r[1][2]), i)
        moved = moved + 1
      end
      redis.call('XACK', ev, group, id)
      redis.call('XDEL', ev, id)
    end
  end
  return moved
end
`;

/**
 * KEYS: events stream, delayed zset. ARGV: group, consumer, notBefore, ids...
 * Moves each entry still leased by this consumer to the delayed set with attempts + 1. Returns how many.
 */
export const RETRY_LATER = script(`${FIELDS_TO_MAP}${MOVE_OWNED}
local ev, dl = KEYS[1], KEYS[2]
${WRITE_FIRST('dl')}local group, consumer, nb = ARGV[1], ARGV[2], ARGV[3]
return move_owned(ev, group, consumer, 4, 1, function(id, f)
  local a = tonumber(f['a'] or '0') + 1
  redis.call('ZADD', dl, nb, a .. '|' .. (f['t'] or '0') .. '|' .. id .. '|' .. f['e'])
end)
`);

/**
 * KEYS: events stream, dead stream, dead-info hash (`bytes`, `evicted`).
 * ARGV: group, consumer, now, maxCount, maxBytes, then pairs id, errorJSON.
 * Moves each entry still leased by this consumer to the dead stream, then evicts the oldest dead letters
 * until the stream holds at most maxCount entries and maxBytes bytes (event + error JSON).
 * Returns {moved, evicted}.
 */
export const DEAD_LETTER = script(`${FIELDS_TO_MAP}${MOVE_OWNED}
local ev, dead, info = KEYS[1], KEYS[2], KEYS[3]
redis.call('HDEL', info, '') -- the first write, see WRITE_FIRST
local group, consumer, now = ARGV[1], ARGV[2], ARGV[3]
local maxc, maxb = tonumber(ARGV[4]), tonumber(ARGV[5])
local bytes = tonumber(redis.call('HGET', info, 'bytes') or '0')
local moved = move_owned(ev, group, consumer, 6, 2, function(id, f, i)
  redis.call('XADD', dead, '*', 'e', f['e'], 't', f['t'] or '0', 'a', f['a'] or '0', 'err', ARGV[i + 1], 'd', now, 'oid', id)
  bytes = bytes + #f['e'] + #ARGV[i + 1]
end)
local evicted = 0
while redis.call('XLEN', dead) > maxc or bytes > maxb do
  local r = redis.call('XRANGE', dead, '-', '+', 'COUNT', 1)
  if not r[1] then break end
  local f = fmap(r[1][2])
  bytes = bytes - #(f['e'] or '') - #(f['err'] or '')
  redis.call('XDEL', dead, r[1][1])
  evicted = evicted + 1
end
if bytes < 0 or redis.call('XLEN', dead) == 0 then bytes = 0 end
redis.call('HSET', info, 'bytes', bytes)
if evicted > 0 then redis.call('HINCRBY', info, 'evicted', evicted) end
return {moved, evicted}
`);

/**
 * KEYS: dead stream, events stream, destinations set, dead-info hash. ARGV: group, destId, now, mode ('all'|'ids'), then
 * a batch limit (mode all) or ids (mode ids). Moves dead letters back to the stream with attempts 0.
 * Returns how many moved.
 */
export const REPLAY = script(`${FIELDS_TO_MAP}${ENSURE_GROUP}
local dead, ev = KEYS[1], KEYS[2]
local group, dest, mode = ARGV[1], ARGV[2], ARGV[4]
local entries = {}
if mode == 'all' then
  entries = redis.call('XRANGE', dead, '-', '+', 'COUNT', tonumber(ARGV[5]))
else
  for i = 5, #ARGV do
    local r = redis.call('XRANGE', dead, ARGV[i], ARGV[i])
    if r[1] then entries[#entries + 1] = r[1] end
  end
end
if #entries == 0 then return 0 end
ensure_group(ev, group)
redis.call('SADD', KEYS[3], dest)
local freed = 0
for _, entry in ipairs(entries) do
  local f = fmap(entry[2])
  redis.call('XADD', ev, '*', 'e', f['e'], 't', f['t'] or ARGV[3], 'a', '0')
  redis.call('XDEL', dead, entry[1])
  freed = freed + #f['e'] + #(f['err'] or '')
end
local bytes = tonumber(redis.call('HGET', KEYS[4], 'bytes') or '0') - freed
if bytes < 0 or redis.call('XLEN', dead) == 0 then bytes = 0 end
redis.call('HSET', KEYS[4], 'bytes', bytes)
return #entries
`);

/**
 * KEYS: events stream. ARGV: group, idleMs, consumer ('' = any).
 * Deletes consumers of the group with no pending entries that have been idle ≥ idleMs (every process
 * start adds a consumer name). A consumer with pending entries is never deleted (that would orphan them).
 * Returns how many were deleted.
 */
export const SWEEP_CONSUMERS = script(`
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local ok, consumers = pcall(redis.call, 'XINFO', 'CONSUMERS', KEYS[1], ARGV[1])
if not ok then return 0 end
local idle_min = tonumber(ARGV[2])
local only = ARGV[3]
local deleted = 0
for _, c in ipairs(consumers) do
  local info = {}
  for i = 1, #c, 2 do info[c[i]] = c[i + 1] end
  if (only == '' or info['name'] == only) and tonumber(info['pending']) == 0 and tonumber(info['idle']) >= idle_min then
    redis.call('XGROUP', 'DELCONSUMER', KEYS[1], ARGV[1], info['name'])
    deleted = deleted + 1
  end
end
return deleted
`);
