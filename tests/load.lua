-- Appended to `mix` (the requests with their answers taken alone) and `per_thread` by tests/load.py.
-- One connection per thread, so each response answers the request this thread sent last.
local threads = {}
local started = 0

function setup(thread)
  started = started + 1
  thread:set("offset", started)  -- each thread starts at another place in the mix
  table.insert(threads, thread)
end

function init(args)
  sent, completed, wrong_status, mismatched = 0, 0, 0, 0
end

function request()
  current = mix[(offset + sent) % #mix + 1]
  sent = sent + 1
  return wrk.format("POST", current.path, {["Content-Type"] = current.type}, current.body)
end

function response(status, headers, body)
  completed = completed + 1
  if status ~= 200 then
    wrong_status = wrong_status + 1
  elseif body ~= current.expected then
    mismatched = mismatched + 1
  end
  if completed >= per_thread then
    io.write("finished\n")  -- tests/load.py ends wrk once every thread has said so
    io.flush()
    wrk.thread:stop()
  end
end

function done(summary, latency, requests)
  local totals = {completed = 0, wrong_status = 0, mismatched = 0}
  for _, thread in ipairs(threads) do
    for name, _ in pairs(totals) do
      totals[name] = totals[name] + thread:get(name)
    end
  end
  local errors = summary.errors
  io.write(string.format(
    '{"wrk": {"completed": %d, "wrong_status": %d, "mismatched": %d, "socket_errors": %d, '
      .. '"p50_ms": %.2f, "p99_ms": %.2f, "max_ms": %.2f}}\n',
    totals.completed, totals.wrong_status, totals.mismatched,
    errors.connect + errors.read + errors.write + errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
