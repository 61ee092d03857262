-- POST /id/1/like on Isso: each request from a new forwarded address, as Isso counts one like
-- per address and comment.
wrk.method = "POST"

function request()
  local voter, address, post = next_reader()
  return wrk.format(nil, os.getenv("BENCH_PATH") or "/id/1/like",
    {["X-Forwarded-For"] = address, ["Content-Type"] = "application/json"}, "")
end
