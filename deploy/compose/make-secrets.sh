#!/bin/sh
# Make the Compose deployment's secrets in deploy/compose/secrets/ (existing ones are kept)
# and its .env (the uid the hubs run as, so they can read their 0600 secret files, and the
# commit the image is built from). Run once on the Docker host, as the user who runs compose.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$here/secrets" "$here/config"
chmod 0700 "$here/secrets"
cd "$here/secrets"
umask 077
random() { head -c 24 /dev/urandom | base64 | tr -d '/+='; }
[ -f deployment.key ] || head -c 32 /dev/urandom >deployment.key
[ -f postgres_password ] || random >postgres_password
[ -f rabbitmq_password ] || random >rabbitmq_password
printf 'postgresql://certhub:%s@postgres:5432/certhub\n' "$(cat postgres_password)" >database_url
printf 'amqp://certhub:%s@rabbitmq:5672/\n' "$(cat rabbitmq_password)" >amqp_url
printf 'default_user = certhub\ndefault_pass = %s\n' "$(cat rabbitmq_password)" >rabbitmq.conf
chmod 0644 postgres_password rabbitmq.conf # read by the postgres and rabbitmq images' own users
commit=$(git -C "$here" rev-parse HEAD 2>/dev/null || echo 0000000)
printf 'CERTHUB_UID=%s\nCERTHUB_BUILD_COMMIT=%s\n' "$(id -u)" "$commit" >"$here/.env"
echo "secrets in $here/secrets, settings in $here/.env"
