-- One kind of page for wrk in the flood scenario (bench/flood.py runs one wrk
-- per kind, so that wrk's own latency histogram is the kind's).
--
-- Environment, read by every Lua state wrk makes:
--   FLOOD_KIND   the kind's name, echoed in the summary
--   FLOOD_PATHS  a file of paths, one a line: each request picks one at random
--   FLOOD_ETAG   "1": send If-None-Match as a browser polling the page would
--   FLOOD_OUT    prefix of the files the threads write renders to
--   FLOOD_EVENTS at most this many render lines per thread
--   FLOOD_BUCKET seconds per "bucket" line (see below)
--
-- A thread writes a line for every answer that was a render (X-Cache MISS)
-- or came without X-Cache (not from the page cache): Unix time, path,
-- status, X-Cache. done() prints "flood<TAB>name<TAB>value" lines.

local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } flood_timespec;
int clock_gettime(int clk_id, flood_timespec *tp);
]]
local CLOCK_REALTIME = 0
local timespec = ffi.new("flood_timespec")

local function now()
  ffi.C.clock_gettime(CLOCK_REALTIME, timespec)
  return tonumber(timespec.tv_sec) + tonumber(timespec.tv_nsec) * 1e-9
end

-- Answers are also counted per BUCKET seconds, written as "bucket" lines
-- once a bucket is over: a stall shows as buckets with few answers.
local BUCKET = tonumber(os.getenv("FLOOD_BUCKET") or "0.1")

local COUNTERS = {
  "answers", "s2xx", "s304", "s3xx", "s4xx", "s5xx",
  "hit", "stale", "miss", "uncached", "dropped",
}

local paths = {}
for line in io.lines(os.getenv("FLOOD_PATHS")) do
  if line ~= "" then paths[#paths + 1] = line end
end
local kind = os.getenv("FLOOD_KIND") or "?"
local conditional = os.getenv("FLOOD_ETAG") == "1"
local max_events = tonumber(os.getenv("FLOOD_EVENTS") or "100000")

-- --- The main state: one table of threads, summed at the end ---------------

local threads = {}
local number = 0

function setup(thread)
  number = number + 1
  thread:set("thread_number", number)
  table.insert(threads, thread)
end

-- --- Each thread's state -------------------------------------------------------

local requests = {}  -- prebuilt, one per path
local out
local events = 0
-- A poll sends the ETag of the last answer it had. wrk's request() does not
-- say which connection it builds for, so after a change the next requests
-- (as many as the thread has connections, less the one that saw it) still
-- carry the former ETag, as each open page would once, then the new one.
local etag, former_etag, behind = nil, nil, 0
local connections = 1
local bucket, in_bucket = nil, 0

function init(args)
  for _, name in ipairs(COUNTERS) do _G[name] = 0 end
  for i, path in ipairs(paths) do requests[i] = wrk.format("GET", path) end
  connections = tonumber(os.getenv("FLOOD_THREAD_CONNECTIONS") or "1")
  out = io.open(string.format("%s.%d", os.getenv("FLOOD_OUT"), thread_number), "w")
  out:setvbuf("line")
end

function request()
  if conditional then
    local sent = etag
    if behind > 0 then
      behind = behind - 1
      sent = former_etag
    end
    local path = paths[1]
    if sent then return wrk.format("GET", path, { ["If-None-Match"] = sent }) end
    return requests[1]
  end
  if #requests == 1 then return requests[1] end
  return requests[math.random(#requests)]
end

local function path_of(body)
  if #paths == 1 then return paths[1] end
  local href = body and body:match('<link rel="canonical" href="([^"]*)"')
  if not href then return "?" end
  return (href:gsub("^%a+://[^/]+", ""))
end

function response(status, headers, body)
  answers = answers + 1
  local moment = now()
  local current = math.floor(moment / BUCKET)
  if current ~= bucket then
    if bucket then out:write(string.format("bucket\t%d\t%d\n", bucket, in_bucket)) end
    bucket, in_bucket = current, 0
  end
  in_bucket = in_bucket + 1
  if status == 304 then
    s304 = s304 + 1
  elseif status >= 500 then
    s5xx = s5xx + 1
  elseif status >= 400 then
    s4xx = s4xx + 1
  elseif status >= 300 then
    s3xx = s3xx + 1
  else
    s2xx = s2xx + 1
  end
  local cache = headers["x-cache"] or headers["X-Cache"]
  if cache == "HIT" then
    hit = hit + 1
  elseif cache == "STALE" then
    stale = stale + 1
  else
    if cache == "MISS" then miss = miss + 1 else uncached = uncached + 1 end
    if events < max_events then
      events = events + 1
      out:write(string.format(
        "%.6f\t%s\t%d\t%s\n", moment, path_of(body), status, cache or "-"
      ))
    else
      dropped = dropped + 1
    end
  end
  if conditional and status == 200 then
    local tag = headers["etag"] or headers["ETag"]
    if tag and tag ~= etag then
      former_etag, etag = etag, tag
      behind = former_etag and (connections - 1) or 0
    end
  end
end

function done(summary, latency, requests)
  local function say(name, value)
    io.write(string.format("flood\t%s\t%s\n", name, tostring(value)))
  end
  say("kind", kind)
  say("duration_us", summary.duration)
  say("requests", summary.requests)
  say("bytes", summary.bytes)
  for _, name in ipairs({ "connect", "read", "write", "status", "timeout" }) do
    say("error_" .. name, summary.errors[name])
  end
  for _, p in ipairs({ 50, 90, 99, 99.9 }) do
    say("p" .. p .. "_us", latency:percentile(p))
  end
  say("max_us", latency.max)
  say("mean_us", latency.mean)
  for _, name in ipairs(COUNTERS) do
    local total = 0
    for _, thread in ipairs(threads) do total = total + (thread:get(name) or 0) end
    say(name, total)
  end
end
