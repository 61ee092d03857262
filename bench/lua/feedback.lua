-- POST /api/v1/feedback: a new reader explains a low rating, as the embed's form sends it
-- (including the time the form was open, so it is not taken for a bot).
wrk.method = "POST"

function request()
  local voter, address, post = next_reader()
  local body = string.format(
    '{"site":"default","post":"%s","voter":"%s","rating":2,"reason":"unclear",' ..
    '"text":"The second example does not run: the import on line 3 is missing.",' ..
    '"lang":"en","open_ms":12000}', post, voter)
  return wrk.format(nil, "/api/v1/feedback",
    {["X-Forwarded-For"] = address, ["Content-Type"] = "application/json"}, body)
end
