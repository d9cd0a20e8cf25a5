#!/usr/bin/env bash
# Bring up the services the test suite talks to, on any fresh Debian machine:
# install from Debian's packages when missing, start when stopped. Idempotent.
set -uo pipefail

have_port() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
apt_ready=0
apt_install() {
  if [ "$apt_ready" = 0 ]; then apt-get update -qq; apt_ready=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}
wait_port() {  # port, seconds
  for _ in $(seq 1 "$2"); do have_port "$1" && return 0; sleep 1; done
  echo "ensure_services: port $1 did not open within $2 s" >&2; return 1
}

# PostgreSQL (ledger store tests)
if ! have_port 5432; then
  command -v pg_ctlcluster >/dev/null || apt_install postgresql
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
  wait_port 5432 60
fi

# RabbitMQ (broker binding tests)
if ! have_port 5672; then
  command -v rabbitmq-server >/dev/null || apt_install rabbitmq-server
  rabbitmq-server -detached || true
  wait_port 5672 120
fi

# promtool (metrics and alert-rule checks)
command -v promtool >/dev/null || apt_install prometheus

# systemd-analyze (the units in deploy/systemd are verified; systemd need not be running)
command -v systemd-analyze >/dev/null || apt_install systemd

# Chromium and CJK fonts (browser tests: Playwright drives Debian's Chromium, never its own download)
[ -x /usr/bin/chromium ] || apt_install chromium
fc-list :lang=zh 2>/dev/null | grep -q . || apt_install fonts-noto-cjk
exit 0
