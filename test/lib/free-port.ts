/** Free ports for tests, one implementation for every harness. */
import * as net from 'node:net';

// ports this test process handed out: the kernel may give a just-closed port again, and a test
// that asks for several in a row must get distinct ones
const handedOut = new Set<string>();

/** A port that was free on `host` a moment ago, never one this process handed out before (the caller binds it right away). */
export async function freePort(host: string): Promise<number> {
  for (let tries = 0; ; tries++) {
    const port = await new Promise<number>((resolve, reject) => {
      const s = net.createServer();
      s.once('error', reject);
      s.listen(0, host, () => {
        const p = (s.address() as net.AddressInfo).port;
        s.close(() => resolve(p));
      });
    });
    const key = `${host}|${port}`;
    if (!handedOut.has(key) || tries > 50) {
      handedOut.add(key);
      return port;
    }
  }
}
