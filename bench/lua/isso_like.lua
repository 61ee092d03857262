-- POST /id/N/like on Isso, each from a new forwarded address. Isso stops counting at 142 votes
-- per comment (and one per /24), so the likes go round BENCH_COMMENTS comments to keep every
-- request a real write, as each of our votes is.
wrk.method = "POST"
local comments = tonumber(os.getenv("BENCH_COMMENTS") or "1")
local first = tonumber(os.getenv("BENCH_FIRST") or "1")

function request()
  local voter, address, post = next_reader()
  local path = string.format("/id/%d/like", counter % comments + first)
  return wrk.format(nil, path,
    {["X-Forwarded-For"] = address, ["Content-Type"] = "application/json"}, "")
end
