"""certhub: the exchange hub for Guangdong's pension-eligibility certification.

One import namespace for the six folders at the repository's top, which stay where they
are: ``certhub.hub``, ``certhub.schemas``, ``certhub.security``, ``certhub.adapters``,
``certhub.monitoring`` and ``certhub.mocks`` are symbolic links to them (README,
Architecture, says why links rather than a ``package-dir`` mapping).
"""
