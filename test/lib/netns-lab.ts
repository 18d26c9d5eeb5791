/**
 * A small network of namespaces made by a test: one "switch" namespace
 * holding a bridge, and nodes joined to it by veth pairs whose node end gets
 * the name the node wants (`eth1` for an amphora). Nothing is made in the
 * root namespace. Processes run inside a node through `ip netns exec`; every
 * process and namespace is removed by `destroy()`. Needs root.
 */
import { spawn, spawnSync, type ChildProcess, type SpawnOptions } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { alive, ROOT, until } from './agent-harness';

export interface LabNode {
  name: string;
  /** the node's end of its veth, e.g. eth1 */
  iface: string;
  /** addresses with their prefix, e.g. 10.60.0.11/24 */
  addrs: string[];
}

/** Runs `ip ARGS`; throws with ip's words when it fails. */
export function ip(...args: string[]): string {
  const r = spawnSync('ip', args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ip ${args.join(' ')}: ${r.stderr.trim()}`);
  return r.stdout;
}

/** Pids of live processes whose command line has an argument containing `needle` (processes a test started). */
export function pidsWithArg(needle: string): number[] {
  const out: number[] = [];
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const argv = fs.readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0');
      if (argv.some((a) => a.includes(needle)) && alive(Number(d))) out.push(Number(d));
    } catch {
      // gone
    }
  }
  return out;
}

export class NetnsLab {
  private readonly made: string[] = [];
  private readonly procs: ChildProcess[] = [];
  private readonly veths = new Map<string, string>();

  /** `prefix` names everything this lab makes (`aaka` for this helper's tests), `tag` keeps parallel runs apart. */
  constructor(readonly prefix = 'aaka', readonly tag = String(process.pid % 100000)) {}

  /** True when this process may make network namespaces (root, iproute2). */
  static available(prefix = 'aaka'): boolean {
    const probe = `${prefix}-probe-${process.pid % 100000}`;
    const r = spawnSync('ip', ['netns', 'add', probe], { encoding: 'utf8' });
    if (r.status !== 0) return false;
    spawnSync('ip', ['netns', 'del', probe]);
    return true;
  }

  /** The namespace name of a node. */
  ns(node: string): string {
    return `${this.prefix}-${this.tag}-${node}`;
  }

  private get switchNs(): string {
    return this.ns('sw');
  }

  private get bridge(): string {
    return `${this.prefix}br${this.tag}`.slice(0, 15);
  }

  /** Makes the switch and the nodes. */
  setup(nodes: LabNode[]): void {
    this.addNs(this.switchNs);
    ip('-n', this.switchNs, 'link', 'add', this.bridge, 'type', 'bridge');
    ip('-n', this.switchNs, 'link', 'set', this.bridge, 'up');
    nodes.forEach((n, i) => {
      const ns = this.ns(n.name);
      const port = `${this.prefix}${this.tag}p${i}`.slice(0, 15);
      this.addNs(ns);
      ip('-n', ns, 'link', 'set', 'lo', 'up');
      ip('-n', this.switchNs, 'link', 'add', port, 'type', 'veth', 'peer', 'name', n.iface, 'netns', ns);
      ip('-n', this.switchNs, 'link', 'set', port, 'master', this.bridge);
      ip('-n', this.switchNs, 'link', 'set', port, 'up');
      for (const a of n.addrs) ip('-n', ns, 'addr', 'add', a, 'dev', n.iface, ...(a.includes(':') ? ['nodad'] : []));
      ip('-n', ns, 'link', 'set', n.iface, 'up');
      this.veths.set(n.name, port);
    });
  }

  private addNs(ns: string): void {
    ip('netns', 'add', ns);
    this.made.push(ns);
  }

  /** Cuts (or reconnects) a node's cable: the switch end of its veth goes down (up). */
  cable(node: string, up: boolean): void {
    ip('-n', this.switchNs, 'link', 'set', this.veths.get(node)!, up ? 'up' : 'down');
  }

  /** Spawns a command inside a node; stopped by destroy(). */
  spawn(node: string, cmd: string, args: string[], opts: SpawnOptions = {}): ChildProcess {
    const p = spawn('ip', ['netns', 'exec', this.ns(node), cmd, ...args], { stdio: ['ignore', 'pipe', 'pipe'], ...opts });
    this.procs.push(p);
    return p;
  }

  /** Spawns test/lib/ns-helper.js in a node and waits for its "ready". */
  async helper(node: string, args: string[], onLine?: (line: string) => void): Promise<ChildProcess> {
    const p = this.spawn(node, process.execPath, [path.join(ROOT, 'test/lib/ns-helper.js'), ...args]);
    let buf = '';
    let ready = false;
    let err = '';
    p.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    p.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        if (line === 'ready') ready = true;
        else onLine?.(line);
      }
    });
    await until(`ns-helper ${args[0]} in ${node} to be ready`, () => {
      if (p.exitCode !== null) throw new Error(`ns-helper ${args[0]} exited with ${p.exitCode}: ${err}`);
      return ready;
    }, 15000);
    return p;
  }

  /** Stops every process it spawned and deletes its namespaces. */
  async destroy(): Promise<void> {
    for (const p of this.procs) if (p.exitCode === null && p.signalCode === null) p.kill('SIGTERM');
    await until('lab processes to exit', () => this.procs.every((p) => p.exitCode !== null || p.signalCode !== null), 5000).catch(() => {
      for (const p of this.procs) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
    });
    for (const ns of this.made.reverse()) spawnSync('ip', ['netns', 'del', ns]);
    this.made.length = 0;
  }
}
