-- Every request to one of many tenants, picked at random: WRK_TARGETS names a file with one
-- target a line, "path<TAB>Authorization header value". With WRK_BODY set, each request is a
-- POST of that form; else a GET.
local targets = {}
local body = os.getenv("WRK_BODY")
local method = body and "POST" or "GET"
local headers = {}

local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("thread_number", threads)
end

function init(args)
  for line in io.lines(os.getenv("WRK_TARGETS")) do
    local path, authorization = line:match("^([^\t]+)\t(.+)$")
    targets[#targets + 1] = { path, authorization }
  end
  if #targets == 0 then
    error("no targets in " .. os.getenv("WRK_TARGETS"))
  end
  if body then
    headers["Content-Type"] = "application/x-www-form-urlencoded"
  end
  -- Each thread its own sequence (`thread_number` is set by setup).
  math.randomseed(os.time() * 1000 + thread_number)
end

function request()
  local target = targets[math.random(#targets)]
  headers["Authorization"] = target[2]
  return wrk.format(method, target[1], headers, body)
end
