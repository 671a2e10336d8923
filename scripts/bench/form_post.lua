-- A POST of the form WRK_BODY (from the environment) on every request; the other headers,
-- Authorization among them, come from wrk's -H.
wrk.method = "POST"
wrk.body = os.getenv("WRK_BODY")
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
