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
