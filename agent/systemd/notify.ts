/**
 * systemd's notify protocol (sd_notify): newline-separated assignments in one
 * datagram to $NOTIFY_SOCKET. Node's dgram has no unix datagrams, so a path
 * socket goes through `unix-dgram`; that module cannot address abstract names
 * ("@..."), so those go through `systemd-notify --pid=<ours>` instead.
 */
import type { Logger } from '../log';
import type { ProcessRunner } from '../process-runner';

interface DgramSocket {
  send(buf: Buffer, offset: number, length: number, path: string, cb: (err?: Error) => void): void;
  close(): void;
  on(ev: 'error', cb: (e: Error) => void): void;
}

export interface Notifier {
  /** Sends raw assignments, e.g. ["READY=1", "STATUS=serving"]. */
  send(lines: string[]): Promise<void>;
  ready(status: string): Promise<void>;
  reloading(status: string): Promise<void>;
  stopping(status: string): Promise<void>;
  status(status: string): Promise<void>;
  /** Starts WATCHDOG=1 pings at half of WATCHDOG_USEC when systemd asked for them. */
  startWatchdog(): void;
  close(): void;
}

export interface NotifierOptions {
  env: NodeJS.ProcessEnv;
  log: Logger;
  runner: ProcessRunner;
  pid?: number;
}

/** A single status line: systemd takes one line per assignment. */
const oneLine = (s: string) => s.replace(/[\r\n]+/g, ' ');

/** Creates the notifier; without NOTIFY_SOCKET every call is a no-op. */
export function createNotifier(o: NotifierOptions): Notifier {
  const target = o.env.NOTIFY_SOCKET;
  const pid = o.pid ?? process.pid;
  let sock: DgramSocket | null = null;
  let timer: NodeJS.Timeout | null = null;

  const sendPath = (msg: Buffer, path: string) =>
    new Promise<void>((resolve) => {
      if (!sock) {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const unix = require('unix-dgram') as { createSocket(type: 'unix_dgram'): DgramSocket };
        sock = unix.createSocket('unix_dgram');
        sock.on('error', (e) => o.log.warn('systemd notify socket error', { error: e }));
      }
      sock.send(msg, 0, msg.length, path, (err) => {
        if (err) o.log.warn('systemd notify failed', { socket: path, error: err });
        resolve();
      });
    });

  const send = async (lines: string[]): Promise<void> => {
    if (!target) return;
    const clean = lines.map(oneLine);
    o.log.debug('systemd notify', { lines: clean });
    if (target.startsWith('@')) {
      const r = await o.runner.run('systemd-notify', [`--pid=${pid}`, ...clean], { timeoutMs: 5000 }).catch((e: Error) => ({ code: -1, stderr: e.message }));
      if (r.code !== 0) o.log.warn('systemd-notify failed', { socket: target, error: r.stderr });
      return;
    }
    await sendPath(Buffer.from(clean.join('\n')), target);
  };

  return {
    send,
    ready: (s) => send(['READY=1', `STATUS=${s}`]),
    reloading: (s) => send(['RELOADING=1', `STATUS=${s}`]),
    stopping: (s) => send(['STOPPING=1', `STATUS=${s}`]),
    status: (s) => send([`STATUS=${s}`]),
    startWatchdog() {
      const usec = Number(o.env.WATCHDOG_USEC);
      const forPid = o.env.WATCHDOG_PID ? Number(o.env.WATCHDOG_PID) : pid;
      if (!target || !Number.isFinite(usec) || usec <= 0 || forPid !== pid || timer) return;
      const every = Math.max(1, Math.floor(usec / 2000));
      timer = setInterval(() => void send(['WATCHDOG=1']), every);
      timer.unref();
      void send(['WATCHDOG=1']);
    },
    close() {
      if (timer) clearInterval(timer);
      timer = null;
      if (sock) sock.close();
      sock = null;
    },
  };
}
