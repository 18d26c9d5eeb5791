/**
 * A root tree built by `images/build --type tar`, unpacked into a temp dir,
 * with /proc and /dev mounted so the agent and haproxy can run in it by
 * `chroot` on the host's network (loopback). Every mount is undone by `cleanup()`.
 */
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT } from './agent-harness';

/** Runs `images/build --type tar` into `dir`; resolves with the tarball, rejects with the log's tail. */
export function buildRootTar(dir: string, timeoutMs: number): Promise<string> {
  const log = path.join(dir, 'build.log');
  const out = fs.openSync(log, 'w');
  const child = spawn(path.join(ROOT, 'images/build'), ['--type', 'tar', '-o', path.join(dir, 'root')], { stdio: ['ignore', out, out], detached: true });
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
    for (const m of this.mounts.reverse()) {
      try {
        execFileSync('umount', [m], { stdio: 'ignore' });
      } catch {
        execFileSync('umount', ['-l', m], { stdio: 'ignore' });
      }
    }
    this.mounts.length = 0;
    // never follow into a mount that is still there
    if (!fs.readFileSync('/proc/self/mounts', 'utf8').includes(` ${this.root}/`)) fs.rmSync(this.root, { recursive: true, force: true });
  }
}
