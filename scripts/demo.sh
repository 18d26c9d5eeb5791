#!/usr/bin/env bash
# The amphora-agent demo, on loopback, in about a minute:
#   installs what it needs (haproxy, openssl, node packages) if missing, builds,
#   makes a throw-away CA with agent and controller certificates, writes an
#   amphora-agent.conf the way a stock Octavia controller does, starts the agent
#   and two small backends, pushes the contract's http-basic example (rewritten
#   to loopback) through the real API with curl and the controller certificate,
#   and shows haproxy balancing traffic over the two backends.
# It LEAVES THE AGENT, HAPROXY AND THE BACKENDS RUNNING so you can try things;
# `bash scripts/demo.sh --stop` stops them all and removes the demo directory.
# `bash scripts/demo.sh --once` runs the demo and cleans up at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$PWD
DEMO=${AMPHORA_DEMO_DIR:-/tmp/amphora-demo}
API_IP=127.20.0.1 API_PORT=9443 VIP=127.20.0.10 VIP_PORT=8080 BACKEND_IP=127.20.0.21 HB_ADDR=127.20.0.2:5555

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

stop_demo() {
  [ -d "$DEMO" ] || return 0
  for f in "$DEMO"/pids/*; do
    [ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null || true
  done
  # the agent leaves haproxy running on purpose; the demo stops it
  if [ -f "$DEMO/state/run/haproxy.pid" ]; then kill "$(cat "$DEMO/state/run/haproxy.pid")" 2>/dev/null || true; fi
  sleep 0.5
  rm -rf "$DEMO"
}

if [ "${1:-}" = "--stop" ]; then stop_demo; echo "demo stopped and $DEMO removed"; exit 0; fi
ONCE=no; [ "${1:-}" = "--once" ] && ONCE=yes

say "1. what the agent needs"
need=()
command -v haproxy >/dev/null || need+=(haproxy)
command -v openssl >/dev/null || need+=(openssl)
command -v curl >/dev/null || need+=(curl ca-certificates)
command -v node >/dev/null || need+=(nodejs npm)
# unix-dgram (systemd notify) builds a small native module during npm ci
[ -d node_modules ] || { command -v make >/dev/null && command -v g++ >/dev/null; } || need+=(make g++ python3)
if [ ${#need[@]} -gt 0 ]; then
  [ "$(id -u)" = 0 ] || { echo "missing: ${need[*]} (run as root to install them)"; exit 1; }
  echo "installing: ${need[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
for s in haproxy; do (systemctl stop "$s" || service "$s" stop || true) >/dev/null 2>&1; done
haproxy -v | sed -n 1p  # sed reads it all: head could SIGPIPE haproxy and, with pipefail, stop the demo
[ -d node_modules ] || npm ci --no-audit --no-fund
npm run build --silent
echo "built dist/"

stop_demo
mkdir -p "$DEMO/pids"

say "2. a throw-away CA, the agent's certificate+key (one PEM) and the controller's client certificate"
bash scripts/make-demo-certs.sh "$DEMO/certs" "$API_IP"
ls "$DEMO/certs"

say "3. amphora-agent.conf, in the form a stock Octavia controller writes it"
cat > "$DEMO/amphora-agent.conf" <<CONF
[DEFAULT]
debug = False

[haproxy_amphora]
bind_host = $API_IP
bind_port = $API_PORT
haproxy_cmd = $(command -v haproxy)

[health_manager]
controller_ip_port_list = $HB_ADDR
heartbeat_interval = 2
heartbeat_key = demo-key

[amphora_agent]
agent_server_ca = $DEMO/certs/ca.pem
agent_server_cert = $DEMO/certs/agent.pem
agent_request_read_timeout = 180
amphora_id = 5e1f0000-demo-4000-8000-000000000001
state_dir = $DEMO/state

[controller_worker]
loadbalancer_topology = SINGLE
CONF
cat "$DEMO/amphora-agent.conf"

say "4. two backends that say who they are"
for n in 1 2; do
  nohup node -e "require('http').createServer((q,s)=>s.end('hello from backend-$n\n')).listen(808$n,'$BACKEND_IP')" >"$DEMO/backend-$n.log" 2>&1 &
  echo $! > "$DEMO/pids/backend-$n"
done

say "4b. the controller's heartbeat receiver on $HB_ADDR (bin/amphora-ctl watch --json)"
nohup "$REPO/bin/amphora-ctl" watch --bind "$HB_ADDR" --key demo-key --json >"$DEMO/heartbeats.jsonl" 2>&1 &
echo $! > "$DEMO/pids/receiver"

say "5. the agent: bin/amphora-agent --config-file $DEMO/amphora-agent.conf (JSON logs in $DEMO/agent.log)"
nohup "$REPO/bin/amphora-agent" --config-file "$DEMO/amphora-agent.conf" >"$DEMO/agent.log" 2>&1 &
echo $! > "$DEMO/pids/agent"
CURL=(curl -sS --max-time 20 --cacert "$DEMO/certs/ca.pem" --cert "$DEMO/certs/controller.pem" --key "$DEMO/certs/controller.key")
API=https://$API_IP:$API_PORT
for _ in $(seq 1 100); do "${CURL[@]}" -o /dev/null "$API/v1/info" 2>/dev/null && break; sleep 0.2; done
"${CURL[@]}" "$API/v1/info" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const i=JSON.parse(s);console.log(`agent ${i.agent_version}, ${i.engine.full_version}, ${i.openssl_version}`)})'
echo "without a client certificate the agent answers nothing:"
curl -sS --max-time 5 --cacert "$DEMO/certs/ca.pem" "$API/v1/info" 2>&1 | head -1 || true

say "6. PUT the contract's http-basic example, rewritten to loopback"
node -e '
const d = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
const lb = d.loadbalancer, [vip, port, ip] = process.argv.slice(2);
lb.vip_address = vip; lb.listeners[0].protocol_port = Number(port);
lb.pools[0].members.forEach((m, i) => { m.address = ip; m.protocol_port = 8081 + i; m.weight = 1; });
Object.assign(lb.pools[0].healthmonitor, { url_path: "/", delay: 2, timeout: 1 });
require("fs").writeFileSync(process.argv[5], JSON.stringify(d, null, 2));
' "$REPO/contract/examples/http-basic.json" "$VIP" "$VIP_PORT" "$BACKEND_IP" "$DEMO/lb.json"
"${CURL[@]}" -X PUT -H 'content-type: application/json' --data-binary @"$DEMO/lb.json" "$API/v1/loadbalancer"; echo

say "7. traffic through the VIP http://$VIP:$VIP_PORT/ (round robin over the two members)"
for i in 1 2 3 4 5 6; do curl -sS --max-time 5 "http://$VIP:$VIP_PORT/"; done

say "8. what runs: GET /v1/details (excerpt)"
"${CURL[@]}" "$API/v1/details" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const d=JSON.parse(s);console.log(JSON.stringify({applied_generation:d.applied_generation,config_hash:d.config_hash,listeners:d.listeners,engine_process:d.engine_process},null,2))})'

say "9. heartbeats the controller's receiver decoded (Octavia's message version 3, HMAC-SHA256 signed)"
for _ in $(seq 1 50); do grep -q '"generation"' "$DEMO/heartbeats.jsonl" 2>/dev/null && break; sleep 0.2; done
grep '"generation"' "$DEMO/heartbeats.jsonl" | tail -1 | cut -c1-600 || echo "(no heartbeat yet: see $DEMO/agent.log)"

if [ "$ONCE" = yes ]; then stop_demo; say "done; everything stopped and $DEMO removed"; exit 0; fi

cat <<NEXT

== Left running: the agent (pid $(cat "$DEMO/pids/agent")), haproxy, two backends. Try:
  C="curl -s --cacert $DEMO/certs/ca.pem --cert $DEMO/certs/controller.pem --key $DEMO/certs/controller.key"
  \$C $API/v1/config                      # the rendered haproxy.cfg (secrets redacted)
  tail -f $DEMO/heartbeats.jsonl          # heartbeats as the controller decodes them
  sed -i 's/"generation": 1/"generation": 2/; s/"weight": 1/"weight": 3/' $DEMO/lb.json
  \$C -X PUT --data-binary @$DEMO/lb.json $API/v1/loadbalancer   # hitless reload
  \$C -X PUT --data-binary @$DEMO/lb.json $API/v1/loadbalancer   # same again: unchanged, no reload
  \$C -X PUT --data '{"schema_version":"1.0","generation":1}' $API/v1/loadbalancer   # 400 with paths
  kill $(cat "$DEMO/pids/agent"); curl http://$VIP:$VIP_PORT/       # haproxy keeps serving without the agent
  tail $DEMO/agent.log                    # JSON log lines
  bash scripts/demo.sh --stop             # stop everything, remove $DEMO
NEXT
