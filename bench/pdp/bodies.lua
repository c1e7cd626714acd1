-- wrk script of bench/pdp: POST the JSON bodies of BODIES_FILE (one per line) in turn, with a bearer token.
local bodies = {}
local index = 0

function init(args)
  for line in io.lines(os.getenv("BODIES_FILE")) do
    bodies[#bodies + 1] = line
  end
  index = math.random(#bodies)
end

function request()
  index = index % #bodies + 1
  local headers = {["Content-Type"] = "application/json"}
  local token = os.getenv("BENCH_TOKEN")
  if token and token ~= "" then
    headers["Authorization"] = "Bearer " .. token
  end
  return wrk.format("POST", os.getenv("BENCH_PATH"), headers, bodies[index])
end

-- BENCH_DELAY_MS > 0: each connection waits that long after an answer before its next request — an offered rate
-- below the server's capacity, so that the latency measured is the request's, not the queue of a saturated server.
local pause = tonumber(os.getenv("BENCH_DELAY_MS") or "0")
if pause > 0 then
  function delay()
    return pause
  end
end
