"""A live bank terminal message whose serial (lsh) ends in a line break is an invalid record.

The serial names the certification in both ways (``bank<code>.<serial>`` live,
``recon<code>.<serial>`` in the reconciliation file, hub/ingress/bank_twins.py); the file
cannot hold a line break in it. Before, the check ``^[A-Za-z0-9_-]{1,24}$`` with
``re.match`` let ``$`` match before a final newline: the message went on to the hub under
the id ``bank105.<serial>\\n`` and was dead-lettered ``ingest_refused`` by the message-id
check instead of ``invalid_record`` naming the field, as the contract says.
"""

# ruff: noqa: F811 - the RabbitMQ fixtures are imported from the support kit
from __future__ import annotations

from banksupport import (  # noqa: F401 - fixtures
    DeadLetters,
    Ingested,
    StartAdapter,
    Topology,
    amqp,
    dead_lettered,
    publisher,
    start_adapter,
    topology,
)

from certhub.adapters.bank.terminal import DETAIL_HEADER, REASON_HEADER
from certhub.mocks.bank import BankTerminalPublisher


async def test_a_serial_ending_in_a_line_break_is_an_invalid_record(
    start_adapter: StartAdapter,
    publisher: BankTerminalPublisher,
    dead_lettered: DeadLetters,
) -> None:
    ingest = Ingested()
    await start_adapter(ingest)
    native = publisher.native("105")
    bad = publisher.native("105", lsh=f"{native['lsh']}\n")
    await publisher.publish(publisher.sign(bad), content_type="application/jose", code="105")
    [letter] = await dead_lettered(1)
    assert letter.headers[REASON_HEADER] == "invalid_record"
    assert "lsh" in str(letter.headers[DETAIL_HEADER])
    assert ingest.calls == 0  # never handed to the hub
