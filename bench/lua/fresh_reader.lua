-- Shared by the write scenarios: every request comes from a new reader, with a voter token and
-- a forwarded client address never used before in this database (run.py sets BENCH_NONCE per
-- scenario). The service trusts X-Forwarded-For from 127.0.0.1 (WIDGET_TRUSTED_PROXIES), so
-- per-address limits see many readers, as behind a real reverse proxy. A headers table given
-- to wrk.format replaces wrk.headers, so each script passes its Content-Type there.
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end

local nonce = os.getenv("BENCH_NONCE") or "0"
local posts = tonumber(os.getenv("BENCH_POSTS") or "1000")
local counter = 0

function next_reader()
  counter = counter + 1
  local n = counter * 16 + (tid or 1)
  local voter = string.format("b%s-%d-%012d", nonce, tid or 1, counter)
  -- The fastest-changing part first, so consecutive readers are in different /24 networks
  -- too (Isso, for one, counts a single like per /24).
  local address = string.format("10.%d.%d.%d", n % 256, math.floor(n / 256) % 256,
    math.floor(n / 65536) % 256)
  return voter, address, string.format("post-%d", counter % posts)
end
