"""Run infrastructure every project stands on: config, datasets, run records and checkpoints,
the project contract, the torch setup. Imports nothing from projects or the app."""
