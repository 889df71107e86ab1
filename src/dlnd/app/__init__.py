"""What users touch: the command line, the Python API, sweeps, comparisons, the course report.
Nothing else imports this package."""
