#!/usr/bin/env bash
# Makes a throw-away CA with an agent (server) and a controller (client)
# certificate, as Octavia's controller would hand them to an amphora:
#   ca.pem                  the CA (agent_server_ca; the controller trusts it too)
#   agent.pem               agent certificate AND key in one PEM (agent_server_cert)
#   controller.pem/.key     the controller's client certificate and key
#   rogue-ca.pem, rogue.pem/.key   a client signed by another CA (must be refused)
# usage: make-demo-certs.sh DIR [SERVER_IP]
set -euo pipefail
dir=${1:?usage: make-demo-certs.sh DIR [SERVER_IP]}
ip=${2:-127.0.0.1}
mkdir -p "$dir"
cd "$dir"
ossl() { openssl "$@" 2>/dev/null; }
mkca() { # name subject
  ossl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$1.key" -out "$1.pem" -days 2 -subj "/CN=$2" \
    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign
}
mkleaf() { # name ca subject extfile
  ossl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$1.key" -out "$1.csr" -subj "/CN=$3"
  ossl x509 -req -in "$1.csr" -CA "$2.pem" -CAkey "$2.key" -CAcreateserial -out "$1.crt" -days 2 -extfile "$4"
  rm -f "$1.csr"
}
mkca ca "amphora-agent demo CA"
mkca rogue-ca "some other CA"
printf 'subjectAltName=IP:%s,DNS:localhost\nextendedKeyUsage=serverAuth\nkeyUsage=digitalSignature\n' "$ip" > server.ext
printf 'extendedKeyUsage=clientAuth\nkeyUsage=digitalSignature\n' > client.ext
mkleaf agent ca "amphora-agent" server.ext
cat agent.crt agent.key > agent.pem && rm -f agent.crt agent.key
mkleaf controller ca "controller" client.ext
mv controller.crt controller.pem
mkleaf rogue rogue-ca "rogue controller" client.ext
mv rogue.crt rogue.pem
rm -f server.ext client.ext ./*.srl
chmod 600 ./*.key agent.pem
