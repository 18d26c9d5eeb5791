/**
 * A root tree built by `images/build --type tar`, unpacked into a temp dir,
 * with /proc and /dev mounted so the agent and haproxy can run in it by
 * `chroot` on the host's network (loopback). Every mount is undone by `cleanup()`.
 */
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT } from './agent-harness';

/** Every mount point under `dir`, deepest first. */
function mountsUnder(dir: string): string[] {
  const prefix = `${path.resolve(dir)}/`;
  return fs.readFileSync('/proc/self/mounts', 'utf8').split('\n')
    .map((l) => l.split(' ')[1]?.replace(/\\040/g, ' '))
    .filter((m): m is string => !!m && m.startsWith(prefix))
    .sort((a, b) => b.length - a.length);
}

/**
 * Removes `dir` after undoing every mount under it (lazily when busy): a build
 * stopped half-way leaves its chroot's /proc, /sys and /dev bound there, and a
 * recursive delete must never walk into the host's /dev.
 */
export function removeTree(dir: string): void {
  for (const m of mountsUnder(dir)) {
    try {
      execFileSync('umount', [m], { stdio: 'ignore' });
    } catch {
      execFileSync('umount', ['-l', m], { stdio: 'ignore' });
    }
  }
  if (mountsUnder(dir).length) throw new Error(`mounts remain under ${dir}; not removing it`);
  fs.rmSync(dir, { recursive: true, force: true });
}

/** Runs `images/build --type tar` into `dir` (its scratch space too); resolves with the tarball, rejects with the log's tail. */
export function buildRootTar(dir: string, timeoutMs: number): Promise<string> {
  const log = path.join(dir, 'build.log');
  const out = fs.openSync(log, 'w');
  // TMP_DIR: diskimage-builder's work dirs go under `dir`, so a failed build leaves nothing in /tmp
  const child = spawn(path.join(ROOT, 'images/build'), ['--type', 'tar', '-o', path.join(dir, 'root')], {
    stdio: ['ignore', out, out], detached: true, env: { ...process.env, TMP_DIR: dir },
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      // the build is a process group (disk-image-create, chroot, apt-get): stop all of it
      try { process.kill(-child.pid!, 'SIGTERM'); } catch { /* gone */ }
    }, timeoutMs);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      fs.closeSync(out);
      const tar = path.join(dir, 'root.tar');
      if (code === 0 && fs.existsSync(tar)) return resolve(tar);
      const tail = fs.readFileSync(log, 'utf8').split('\n').slice(-40).join('\n');
      reject(new Error(`images/build exited ${code ?? signal}${signal ? ' (stopped after the time limit)' : ''}; last lines:\n${tail}`));
    });
  });
}

export class ChrootTree {
  /** what this tree mounted (removeTree finds them all anyway) */
  private readonly mounts: string[] = [];
  constructor(readonly root: string) {}

  /** Unpacks `tar` into the tree and mounts /proc and /dev into it. */
  unpack(tar: string): void {
    fs.mkdirSync(this.root, { recursive: true });
    execFileSync('tar', ['-xf', tar, '-C', this.root]);
    for (const d of ['proc', 'dev', 'sys', 'run', 'tmp']) fs.mkdirSync(path.join(this.root, d), { recursive: true });
    this.mount(['-t', 'proc', 'proc'], 'proc');
    this.mount(['--bind', '/dev'], 'dev');
  }

  private mount(args: string[], at: string): void {
    const target = path.join(this.root, at);
    execFileSync('mount', [...args, target]);
    this.mounts.push(target);
  }

  /** A path inside the tree. */
  p(...parts: string[]): string {
    return path.join(this.root, ...parts);
  }

  /** Runs a command in the tree; returns its stdout. */
  run(cmd: string, args: string[]): string {
    return execFileSync('chroot', [this.root, cmd, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  }

  /** Undoes the mounts (lazily when still busy) and removes the tree. */
  cleanup(): void {
    this.mounts.length = 0;
    removeTree(this.root);
  }
}
