-- wrk script: each thread (run with as many threads as connections) alternates
-- CreateFilter and DeleteFilter of its own filter names, so every delete follows its
-- create on the same connection and the detector never nears its 100-filter limit.
local detector = os.getenv("DETECTOR_ID")
-- wrk.format replaces wrk.headers when given a table, so the signature goes in each request.
local authorization = os.getenv("AUTHORIZATION")
local next_thread = 0

setup = function(thread)
  next_thread = next_thread + 1
  thread:set("thread_id", next_thread)
end

local counter = 0

request = function()
  counter = counter + 1
  local name = string.format("bench-%d-%d", thread_id, math.floor((counter + 1) / 2))
  if counter % 2 == 1 then
    local body = '{"name":"' .. name .. '","findingCriteria":{"criterion":{"severity":{"gte":4}}}}'
    return wrk.format("POST", "/detector/" .. detector .. "/filter",
                      {["Content-Type"] = "application/json", ["Authorization"] = authorization},
                      body)
  end
  return wrk.format("DELETE", "/detector/" .. detector .. "/filter/" .. name,
                    {["Authorization"] = authorization})
end
