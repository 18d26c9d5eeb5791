#!/usr/bin/env node
// Runs inside a test network namespace (`ip netns exec NS node ns-helper.js MODE ...`), where
// the test process itself cannot open sockets. Plain JavaScript: it runs from the sources and
// from dist/ alike. Prints "ready" once listening; stops on SIGTERM.
//   forward SOCKET HOST PORT      unix socket (the file system is shared) -> TCP HOST:PORT in the namespace
//   backends IP:PORT...           HTTP servers answering "IP:PORT\n"
//   client HOST PORT HOSTHDR PATH INTERVAL_MS TIMEOUT_MS
//                                 HTTPS GETs one at a time, a new connection each, one JSON line per
//                                 request: {"t": start ms, "ms": duration, "ok": bool, "status"|"error"}
'use strict';
const fs = require('fs');
const http = require('http');
const https = require('https');
const net = require('net');

const [mode, ...args] = process.argv.slice(2);
const say = (o) => process.stdout.write(`${typeof o === 'string' ? o : JSON.stringify(o)}\n`);
let stopping = false;
process.on('SIGTERM', () => {
  stopping = true;
  setTimeout(() => process.exit(0), 50);
});

if (mode === 'forward') {
  const [sock, host, port] = args;
  fs.rmSync(sock, { force: true });
  net.createServer((c) => {
    const up = net.connect(Number(port), host);
    c.pipe(up).pipe(c);
    const end = () => { c.destroy(); up.destroy(); };
    c.on('error', end);
    up.on('error', end);
  }).listen(sock, () => say('ready'));
} else if (mode === 'backends') {
  let left = args.length;
  for (const a of args) {
    const i = a.lastIndexOf(':');
    const server = http.createServer((req, res) => {
      req.resume();
      res.end(`${a}\n`);
    });
    server.listen(Number(a.slice(i + 1)), a.slice(0, i), () => { if (--left === 0) say('ready'); });
  }
} else if (mode === 'client') {
  const [host, port, hostHeader, path, interval, timeout] = args;
  const once = () => new Promise((resolve) => {
    const t = Date.now();
    const done = (r) => resolve({ t, ms: Date.now() - t, ...r });
    const req = https.get({
      host, port: Number(port), path, agent: false, rejectUnauthorized: false, servername: hostHeader,
      headers: { host: hostHeader, 'user-agent': 'amphora-agent-test' }, timeout: Number(timeout),
    }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => done(res.statusCode === 200 ? { ok: true, status: 200, body: body.trim() } : { ok: false, status: res.statusCode }));
      res.on('error', (e) => done({ ok: false, error: e.code || e.message }));
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })));
    req.on('error', (e) => done({ ok: false, error: e.code || e.message }));
  });
  say('ready');
  (async () => {
    while (!stopping) {
      const r = await once();
      say(r);
      const wait = Number(interval) - r.ms;
      if (wait > 0) await new Promise((res) => setTimeout(res, wait));
    }
  })();
} else {
  process.stderr.write(`ns-helper: unknown mode ${mode}\n`);
  process.exit(2);
}
