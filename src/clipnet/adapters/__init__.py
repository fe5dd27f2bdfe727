"""Implementations of the ports, one package or module per technology."""
