"""The composition root: `bootstrap(settings)` wires everything once; the web app, the worker process and the demo start from it."""
