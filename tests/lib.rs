//! Test support lives in `api/`; this empty library only gives the test binary a home.
