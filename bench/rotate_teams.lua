-- wrk script for bench/throughput.py: every request is another team's.
--
-- Arguments (after `--`): <teams file> <mode> <level id> <label> <origin> <threads>
--   teams file: one "cookie<TAB>csrf token" line per team, logged in and entered beforehand
--   mode: "guess" POSTs /api/levels/<level id>/guesses with a new x and a new idempotency
--         key each time; "health" GETs /api/health (the baseline) with the same cookies
--   label: makes idempotency keys unique across runs
--   threads: wrk's -t, so that threads take turns over the teams
-- Prints "RESULT key=value ..." and one "STATUS <code> <count>" line per status code.

local threads = {}
local next_id = 0

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

local teams = {}
local mode, path, label, origin, stride
local counter = 0
statuses = {}

function init(args)
  for line in io.lines(args[1]) do
    local cookie, csrf = line:match("^(%S+)\t(%S+)$")
    if cookie then
      table.insert(teams, { cookie = "downhill_session=" .. cookie, csrf = csrf })
    end
  end
  mode, label, origin, stride = args[2], args[4], args[5], tonumber(args[6])
  if mode == "guess" then
    path = "/api/levels/" .. args[3] .. "/guesses"
  else
    path = "/api/health"
  end
end

function request()
  counter = counter + 1
  -- threads take turns over the teams, so consecutive requests are different teams'
  local team = teams[((counter * stride + id) % #teams) + 1]
  if mode == "guess" then
    local x = ((counter * 7919 + id * 104729) % 2000) / 100 - 10
    local body = string.format(
      '{"x": %.2f, "idempotency_key": "%s-%d-%08d"}', x, label, id, counter)
    return wrk.format("POST", path, {
      ["Cookie"] = team.cookie,
      ["X-CSRF-Token"] = team.csrf,
      ["Origin"] = origin,
      ["Content-Type"] = "application/json",
    }, body)
  end
  return wrk.format("GET", path, { ["Cookie"] = team.cookie })
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    "RESULT requests=%d duration_us=%d p50_us=%d p90_us=%d p99_us=%d max_us=%d mean_us=%d"
      .. " connect=%d read=%d write=%d status=%d timeout=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, latency.mean, errors.connect, errors.read,
    errors.write, errors.status, errors.timeout))
  local counts = {}
  for _, thread in ipairs(threads) do
    for code, n in pairs(thread:get("statuses")) do
      counts[code] = (counts[code] or 0) + n
    end
  end
  for code, n in pairs(counts) do
    io.write(string.format("STATUS %d %d\n", code, n))
  end
end
