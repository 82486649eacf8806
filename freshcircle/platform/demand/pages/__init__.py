"""Standing demand pages: 我的求购, a new demand, its matches; producers' matched demands."""
