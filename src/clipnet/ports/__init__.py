"""The interfaces the domain needs from the outside world, as ``typing.Protocol``s.

Adapters in :mod:`clipnet.adapters` implement them; every port has a contract test suite
under ``tests/contracts`` that each of its adapters must pass.
"""
