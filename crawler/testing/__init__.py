"""Test harness shipped in the package (the Scrapyd end-to-end test runs the project from its
egg): serving real URLs from local mirror servers. Never installed in production."""
