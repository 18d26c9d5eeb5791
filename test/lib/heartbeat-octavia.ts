/**
 * A stand-in controller for end-to-end heartbeat tests: UDP sockets that
 * receive the agent's datagrams, each handed as it arrives to one long-lived
 * `/usr/bin/python3` running Octavia's own decoder
 * (`status_message.unwrap_envelope`), so every assertion reads what Octavia
 * reads, without paying python's start-up per datagram.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as dgram from 'node:dgram';
import * as readline from 'node:readline';

const PY = `
import base64, json, sys
from octavia.amphorae.backends.health_daemon import status_message
key = sys.argv[1]
for line in sys.stdin:
    try:
        out = {"ok": status_message.unwrap_envelope(base64.b64decode(line), key)}
    except Exception as e:
        out = {"error": "%s: %s" % (type(e).__name__, e)}
    print(json.dumps(out), flush=True)
`;

export interface Heard {
  /** which socket received it, `host:port` as the agent's config names it */
  target: string;
  /** what Octavia's decoder returned (null until it answered, or when it refused) */
  message: any | null;
  /** the decoder's exception, when it refused the datagram */
  error: string | null;
  bytes: number;
}

/** Receives on several UDP sockets and decodes every datagram with Octavia's decoder, in arrival order. */
export class OctaviaHeartbeatReceiver {
  readonly heard: Heard[] = [];
  private readonly sockets: dgram.Socket[] = [];
  private readonly py: ChildProcess;
  private readonly waiting: Heard[] = [];
  private pyError = '';

  constructor(key: string) {
    this.py = spawn('/usr/bin/python3', ['-c', PY, key], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.py.stderr!.on('data', (d: Buffer) => (this.pyError += d.toString()));
    readline.createInterface({ input: this.py.stdout! }).on('line', (line) => {
      const h = this.waiting.shift();
      if (!h) return;
      const r = JSON.parse(line);
      if ('ok' in r) h.message = r.ok;
      else h.error = r.error;
    });
  }

  /** Binds one UDP socket on `host` (port 0) and returns its `host:port` in config syntax. */
  async bind(host: string): Promise<{ host: string; port: number; target: string }> {
    const s = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
    this.sockets.push(s);
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.bind(0, host, () => resolve());
    });
    const port = s.address().port;
    const target = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
    s.on('message', (data) => {
      const h: Heard = { target, message: null, error: null, bytes: data.length };
      this.heard.push(h);
      this.waiting.push(h);
      this.py.stdin!.write(`${data.toString('base64')}\n`);
    });
    return { host, port, target };
  }

  /** The decoded messages so far (every datagram Octavia has answered for). */
  decoded(): Heard[] {
    if (this.py.exitCode !== null) throw new Error(`the Octavia decoder exited: ${this.pyError.slice(-500)}`);
    return this.heard.filter((h) => h.message !== null || h.error !== null);
  }

  /** True when Octavia has answered for every datagram received. */
  settled(): boolean {
    return this.waiting.length === 0;
  }

  /** Closes the sockets and stops python. */
  async close(): Promise<void> {
    for (const s of this.sockets) s.close();
    this.py.stdin!.end();
    if (this.py.exitCode === null) await new Promise((r) => this.py.once('exit', r));
  }
}
