"""Mock departments that speak certhub's real protocols, for demos and contract tests.

Mocks import ``schemas`` and ``security`` only — never ``hub`` — so they see
the hub exactly as an outside party does: over the wire.
"""
