"""The `fitzap` command: each subcommand parses its arguments and starts from the composition root (app/)."""
