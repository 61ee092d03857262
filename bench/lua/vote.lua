-- POST /api/v1/votes: a new reader rates one of BENCH_POSTS posts.
wrk.method = "POST"

function request()
  local voter, address, post = next_reader()
  local body = string.format('{"site":"default","post":"%s","rating":%d,"voter":"%s"}',
    post, counter % 5 + 1, voter)
  return wrk.format(nil, "/api/v1/votes",
    {["X-Forwarded-For"] = address, ["Content-Type"] = "application/json"}, body)
end
