-- Each request with its own DPoP proof: WRK_PROOFS names a file with one "path<TAB>
-- Authorization<TAB>DPoP" line a request; each thread takes every n-th line, and no line is
-- sent twice (a replayed proof is refused, which fails the run). With WRK_REUSE=1 (lines
-- without proofs, the baseline), the lines are sent round and round.
local lines = {}
local reuse = os.getenv("WRK_REUSE") == "1"
local next_line = 0
local stride = 1
local headers = {}

local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("thread_number", threads)
  thread:set("thread_count", 0)
end

function init(args)
  for line in io.lines(os.getenv("WRK_PROOFS")) do
    local path, authorization, proof = line:match("^([^\t]+)\t([^\t]+)\t(.+)$")
    lines[#lines + 1] = { path, authorization, proof }
  end
  if #lines == 0 then
    error("no proofs in " .. os.getenv("WRK_PROOFS"))
  end
  stride = tonumber(os.getenv("WRK_THREADS") or "1")
  next_line = thread_number
end

function request()
  local line = lines[next_line]
  if line == nil and reuse then
    next_line = thread_number
    line = lines[next_line]
  end
  if line == nil then
    error("out of proofs: make more")
  end
  next_line = next_line + stride
  headers["Authorization"] = line[2]
  headers["DPoP"] = line[3]
  return wrk.format("GET", line[1], headers)
end
