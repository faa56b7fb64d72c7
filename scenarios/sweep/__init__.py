"""Sweeps: many variants of a scenario, run on a process pool or a Dask cluster."""
