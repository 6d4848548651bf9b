"""Scoring whole mail archives with the function's artifact on Apache Beam (DirectRunner, Dataflow).

`python -m bulk INPUT... --output PATH`; docs/bulk.md explains the run, the outputs and Dataflow.
"""
