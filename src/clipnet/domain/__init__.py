"""The pure core of ClipNET: entities, value objects and domain services.

Nothing here performs I/O or imports a framework or driver; services reach the
outside world only through the protocols in :mod:`clipnet.ports`.
"""
