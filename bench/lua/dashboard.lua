-- GET the dashboard page as the logged-in author (session cookie from run.py's form login).
wrk.headers["Cookie"] = os.getenv("BENCH_COOKIE") or ""
