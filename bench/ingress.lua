-- wrk script of the ingress benchmark: POST pre-signed compact JWS reports, one per request.
--
--   wrk -t1 -c128 -d8s -s bench/ingress.lua http://127.0.0.1:PORT/v1/reports -- BODIES THREADS MODE
--
-- BODIES is a file of signed reports, one per line. Thread k of THREADS sends lines
-- k, k+THREADS, ... so every request of the run carries a distinct message. MODE
-- "once" (the hub: a re-send would be a cheap duplicate) counts the requests made
-- after the file ran out ("exhausted": the caller must size the file so this stays 0);
-- "wrap" (the stateless bare handler) cycles through the file. The requests are
-- formatted in init(), before wrk starts its clock, so the run only sends them.
-- done() prints one line, "certhub-wrk {json}", with the counts and latencies.

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/jose"

local threads = {}

function setup(thread)
   thread:set("tid", #threads)
   table.insert(threads, thread)
end

local requests, count, next_index, wrap, ran_out = {}, 0, 0, false, false
exhausted = 0

function init(args)
   local path, nthreads = args[1], tonumber(args[2])
   wrap = args[3] == "wrap"
   local line_number = 0
   for line in io.lines(path) do
      if line_number % nthreads == tid and #line > 0 then
         count = count + 1
         requests[count] = wrk.format(nil, nil, nil, line)
      end
      line_number = line_number + 1
   end
   if count == 0 then
      error("no signed reports for thread " .. tid .. " in " .. path)
   end
end

function request()
   if next_index >= count then
      next_index = 0
      ran_out = not wrap
   end
   next_index = next_index + 1
   if ran_out then
      exhausted = exhausted + 1 -- a duplicate: the hub would answer it from its ledger
   end
   return requests[next_index]
end

function done(summary, latency, _)
   local sent_again = 0
   for _, thread in ipairs(threads) do
      sent_again = sent_again + (thread:get("exhausted") or 0)
   end
   local errors = summary.errors
   io.write(string.format(
      "certhub-wrk {\"requests\": %d, \"duration_us\": %d, \"status_errors\": %d,"
         .. " \"socket_errors\": %d, \"timeouts\": %d, \"p50_us\": %d, \"p99_us\": %d,"
         .. " \"exhausted\": %d}\n",
      summary.requests, summary.duration, errors.status,
      errors.connect + errors.read + errors.write, errors.timeout,
      latency:percentile(50), latency:percentile(99), sent_again
   ))
end
