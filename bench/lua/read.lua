-- GET a summary path (BENCH_PATH), each request from a new reader's forwarded address: the
-- per-address read limit is then exercised as it is by real readers, not hit by one client.
function request()
  local voter, address, post = next_reader()
  return wrk.format("GET", os.getenv("BENCH_PATH"), {["X-Forwarded-For"] = address}, nil)
end
