#!/usr/bin/env bash
# Writes the configuration of one ledger server: the app + relay (deploy/ledger.service) and
# coturn (deploy/ledger-turn.service) sharing one TURN secret. Run as root on the server:
#
#   PUBLIC_HOST=ledger.example.org \
#   TLS_CERT_FILE=/etc/letsencrypt/live/ledger.example.org/fullchain.pem \
#   TLS_KEY_FILE=/etc/letsencrypt/live/ledger.example.org/privkey.pem \
#   deploy/configure.sh
#
# Optional: CONFIG_DIR (/etc/ledger), STATE_DIR (/var/lib/ledger), LISTEN_IP (all addresses),
# APP_PORT (443), RELAY_PORT (8443), TURN_PORT (3478), TURNS_PORT (5349), TURN_TTL_S (3600),
# EXTRA_RELAYS, ALLOWED_ORIGINS. Running it again keeps the TURN secret and the relay key.
# docs/deploy.md explains every line; the testbed (test/netbed/) runs this same script.
set -euo pipefail

: "${PUBLIC_HOST:?set PUBLIC_HOST to the name (or IP) browsers use for this server}"
: "${TLS_CERT_FILE:?set TLS_CERT_FILE to the PEM certificate chain for PUBLIC_HOST}"
: "${TLS_KEY_FILE:?set TLS_KEY_FILE to its PEM private key}"
CONFIG_DIR="${CONFIG_DIR:-/etc/ledger}"
STATE_DIR="${STATE_DIR:-/var/lib/ledger}"
LISTEN_IP="${LISTEN_IP:-}"
APP_PORT="${APP_PORT:-443}"
RELAY_PORT="${RELAY_PORT:-8443}"
TURN_PORT="${TURN_PORT:-3478}"
TURNS_PORT="${TURNS_PORT:-5349}"
TURN_TTL_S="${TURN_TTL_S:-3600}"

install -d -m 0750 "$CONFIG_DIR" "$STATE_DIR"
secret_file="$CONFIG_DIR/turn-secret"
if [ ! -s "$secret_file" ]; then
  (umask 077 && openssl rand -hex 32 >"$secret_file")
fi
secret="$(cat "$secret_file")"

# The ledger server: app over HTTPS, relay over wss, /relay.json with fresh TURN credentials.
(umask 027 && cat >"$CONFIG_DIR/ledger.env") <<ENV
HOST=${LISTEN_IP:-0.0.0.0}
PORT=$APP_PORT
PUBLIC_HOST=$PUBLIC_HOST
TLS_CERT_FILE=$TLS_CERT_FILE
TLS_KEY_FILE=$TLS_KEY_FILE
RELAY_PORT=$RELAY_PORT
RELAY_KEY_FILE=$STATE_DIR/relay-key
STUN_URLS=stun:$PUBLIC_HOST:$TURN_PORT
TURN_URLS=turn:$PUBLIC_HOST:$TURN_PORT?transport=udp,turn:$PUBLIC_HOST:$TURN_PORT?transport=tcp,turns:$PUBLIC_HOST:$TURNS_PORT?transport=tcp
TURN_SECRET_FILE=$secret_file
TURN_TTL_S=$TURN_TTL_S
EXTRA_RELAYS=${EXTRA_RELAYS:-}
ALLOWED_ORIGINS=${ALLOWED_ORIGINS:-}
ENV

# coturn: STUN and TURN on UDP and TCP, TURN over TLS, credentials only from the shared secret.
(umask 077 && cat >"$CONFIG_DIR/turnserver.conf") <<CONF
listening-port=$TURN_PORT
tls-listening-port=$TURNS_PORT
${LISTEN_IP:+listening-ip=$LISTEN_IP}
${LISTEN_IP:+relay-ip=$LISTEN_IP}
realm=$PUBLIC_HOST
use-auth-secret
static-auth-secret=$secret
cert=$TLS_CERT_FILE
pkey=$TLS_KEY_FILE
no-cli
no-dtls
no-tlsv1
no-tlsv1_1
fingerprint
no-multicast-peers
# Never relay into the server's own private networks.
denied-peer-ip=0.0.0.0-0.255.255.255
denied-peer-ip=10.0.0.0-10.255.255.255
denied-peer-ip=100.64.0.0-100.127.255.255
denied-peer-ip=127.0.0.0-127.255.255.255
denied-peer-ip=169.254.0.0-169.254.255.255
denied-peer-ip=172.16.0.0-172.31.255.255
denied-peer-ip=192.168.0.0-192.168.255.255
# A bound on what one credential and the whole server may hold at once.
user-quota=32
total-quota=1200
stale-nonce=600
pidfile=$STATE_DIR/turnserver.pid
# Its user database (unused with use-auth-secret, but coturn opens one).
userdb=$STATE_DIR/turndb
log-file=stdout
simple-log
CONF

echo "configure: wrote $CONFIG_DIR/ledger.env and $CONFIG_DIR/turnserver.conf"
