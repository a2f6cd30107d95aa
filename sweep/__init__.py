"""Parameter sweeps: many checks of the model over a grid or a sample of parameter values, on Dask."""
