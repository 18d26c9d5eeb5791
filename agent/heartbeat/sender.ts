/**
 * Sends datagrams to the controllers in turn, one target per heartbeat, as
 * Octavia's sender does. It only sends: building and signing happen before.
 */
import * as dgram from 'node:dgram';
import * as net from 'node:net';
import { formatTarget } from './targets';

/** The part of a dgram socket the sender uses (a fake in tests). */
export interface DatagramSocket {
  send(msg: Buffer, port: number, address: string, cb: (err: Error | null) => void): void;
  close(): void;
  on(event: 'error', listener: (err: Error) => void): unknown;
}

export type SocketFactory = (type: 'udp4' | 'udp6') => DatagramSocket;

/** Real node dgram sockets. */
export const udpSocketFactory: SocketFactory = (type) => dgram.createSocket(type);

export interface SendOutcome {
  target: string;
  error: Error | null;
}

/** Round-robin over the targets with one socket per address family, opened on first use. */
export class HeartbeatSender {
  private next = 0;
  private readonly sockets = new Map<'udp4' | 'udp6', DatagramSocket>();

  constructor(
    private readonly targets: readonly { host: string; port: number }[],
    private readonly factory: SocketFactory = udpSocketFactory,
  ) {}

  private socket(type: 'udp4' | 'udp6'): DatagramSocket {
    let s = this.sockets.get(type);
    if (!s) {
      s = this.factory(type);
      // an asynchronous socket error (e.g. ICMP unreachable) must not crash the agent
      s.on('error', () => undefined);
      this.sockets.set(type, s);
    }
    return s;
  }

  /** Sends to the next target; resolves with the outcome, never rejects. Null when there is no target. */
  send(datagram: Buffer): Promise<SendOutcome | null> {
    if (this.targets.length === 0) return Promise.resolve(null);
    const t = this.targets[this.next];
    this.next = (this.next + 1) % this.targets.length;
    const target = formatTarget(t);
    return new Promise((resolve) => {
      try {
        this.socket(net.isIPv6(t.host) ? 'udp6' : 'udp4').send(datagram, t.port, t.host, (err) => resolve({ target, error: err }));
      } catch (e) {
        resolve({ target, error: e as Error });
      }
    });
  }

  /** Closes the sockets. */
  close(): void {
    for (const s of this.sockets.values()) s.close();
    this.sockets.clear();
  }
}
