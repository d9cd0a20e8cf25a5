"""The ingress benchmark's figures: each generator's ratios, and the printed report."""

from __future__ import annotations

import statistics

from load import Result


def ratios(rounds: list[tuple[Result, Result]]) -> dict[str, object]:
    """One generator's figures: peaks, hub/bare by round and their median, its CPU share."""
    ratios = [hub.rate / bare.rate for hub, bare in rounds]
    cpu_ratios = [bare.cpu_us_per_request / hub.cpu_us_per_request for hub, bare in rounds]
    return {
        "hub_peaks": [round(hub.rate, 1) for hub, _ in rounds],
        "bare_peaks": [round(bare.rate, 1) for _, bare in rounds],
        "hub_over_bare_peak_by_round": [round(ratio, 3) for ratio in ratios],
        "hub_over_bare_peak": round(statistics.median(ratios), 3),
        "bare_over_hub_cpu_per_request": round(statistics.median(cpu_ratios), 3),
        "generator_cpu_share_at_peaks": [
            round(side.generator_cpu_share, 3) for pair in rounds for side in pair
        ],
        "peak_in_flight_by_round": [[hub.in_flight, bare.in_flight] for hub, bare in rounds],
    }


def report(figures: dict[str, object]) -> None:
    """The figures as a table and a few lines."""
    print(
        f"ledger: {figures['ledger']}; {figures['processes_per_server']} process(es) per server"
        f" ({figures['hub_processes']} HTTP process(es) of the hub);"
        f" {figures['autogroup'] or 'no autogroup'}; load average at the end"
        f" {' '.join(f'{load:.1f}' for load in figures['load_average_at_end'])}"  # type: ignore[attr-defined]
    )
    print(
        f"{'gen':6} {'server':6} {'phase':6} {'flight':>6} {'req/s':>9} {'p50 ms':>8}"
        f" {'p99 ms':>8} {'errors':>6} {'CPU us/req':>10} {'gen CPU':>7} {'wait':>5}"
    )
    for row in figures["results"]:  # type: ignore[attr-defined]
        print(
            f"{row['generator']:6} {row['server']:6} {row['phase']:6} {row['in_flight'] or '':>6}"
            f" {row['rate']:9.1f} {row['p50_ms']:8.2f} {row['p99_ms']:8.2f} {row['errors']:6}"
            f" {row['cpu_us_per_request']:10.0f} {row['generator_cpu_share']:7.1%}"
            f" {row['cpu_wait']:5.2f}"
        )
    for generator, figs in figures["by_generator"].items():  # type: ignore[attr-defined]
        by_round = ", ".join(f"{ratio:.1%}" for ratio in figs["hub_over_bare_peak_by_round"])
        shares = figs["generator_cpu_share_at_peaks"]
        print(
            f"{generator}: hub/bare peak {figs['hub_over_bare_peak']:.1%} (median of {by_round});"
            f" hub {figs['hub_peaks']} bare {figs['bare_peaks']} req/s;"
            f" generator CPU {min(shares):.0%}–{max(shares):.0%} of a core at the peaks"
        )
    paced = [row for row in figures["results"] if row["phase"] == "paced"]  # type: ignore[attr-defined]
    print(
        f"paced at {figures['hub_paced_rate']} req/s (half the {figures['judged_by']} peak):"
        f" hub p99 {paced[0]['p99_ms']:.1f} ms (bare {paced[1]['p99_ms']:.1f} ms), generator CPU"
        f" {paced[0]['generator_cpu_share']:.0%}; the hub's threads waited for a CPU"
        f" {paced[0]['cpu_wait']:.2f} s a second (bare {paced[1]['cpu_wait']:.2f})"
    )
    print(f"largest SQLite WAL during the run: {figures['largest_wal_bytes'] / 2**20:.1f} MiB")
    print(
        f"durable: every round's 202s are in the ledger {figures['durability_by_round']};"
        f" {figures['ledger_rows']} reports after the run"
        f" (accepted in measured phases: {figures['hub_accepted_measured']}, plus warm-up)"
    )
