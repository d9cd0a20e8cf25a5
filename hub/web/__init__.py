"""The pages a person opens in a browser: the coordinators' mobile entrance (``/app/``).

Static files shipped in this package, held in memory and served under a strict
Content-Security-Policy (``default-src 'self'``, no inline script, no third-party
origin). The pages are clients of the public API like any reporting system: they
sign on the device and read with their own bearer tokens.
"""
