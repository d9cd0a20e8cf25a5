"""How a message enters the ledger: verify → validate → plan → record → receipt.

* :mod:`certhub.hub.ingress.pipeline` —
  :class:`~certhub.hub.ingress.pipeline.IngressPipeline`, the one path every pushed
  message takes (HTTP and AMQP);
* :mod:`certhub.hub.ingress.inbound` — department records (ministry pull, bank events, city
  platforms) signed by the hub and sent down the very same path.
"""
