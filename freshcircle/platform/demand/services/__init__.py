"""Standing demand services: posting and reading demands, matching, ranking."""
