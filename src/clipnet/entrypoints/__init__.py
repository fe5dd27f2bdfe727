"""Thin edges of ClipNET: the CLI, the HTTP API, the worker, the inference server handler."""
