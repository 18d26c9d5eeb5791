/**
 * Runs real nginx on a rendered document: writes the files to a temp config
 * dir, checks them with `nginx -t`, runs nginx in the foreground with its own
 * prefix, pid file and error log in the temp dir (`-p`, `-c`, `-e`; the
 * stream module loaded by the config itself), waits until the status server
 * answers the set's token, and stops it by its pid.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { nginxCapabilities } from '../../renderers';
import { renderNginx, NGINX_MAIN, STATUS_SOCKET, TOKEN_FILE, type NginxContext, type NginxRenderContext } from '../../renderers/nginx';
import type { RenderOutput } from '../../renderers/types';
import type { Document } from '../../schemas';
import { tempDir, waitFor, writeRendered } from './haproxy-harness';
import { valid } from './render-fixtures';

export const NGINX = process.env.NGINX_CMD ?? '/usr/sbin/nginx';
export { freePort, waitFor } from './haproxy-harness';

/** `nginx -t` of a staged config dir with `prefix` (temp files, error log). */
export function checkNginxConfig(dir: string, prefix: string): { ok: boolean; output: string } {
  fs.mkdirSync(prefix, { recursive: true });
  const r = spawnSync(NGINX, ['-t', '-q', '-p', prefix, '-c', path.join(dir, NGINX_MAIN), '-e', path.join(prefix, 'error.log')], { encoding: 'utf8' });
  return { ok: r.status === 0, output: `${r.stdout}${r.stderr}`.trim() };
}

/** One GET on a unix socket (the status server). */
export function unixGet(socketPath: string, urlPath: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ socketPath, path: urlPath, timeout: 5000 }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('status server timed out')));
    req.on('error', reject);
  });
}

export interface RunningNginx {
  /** the config dir nginx runs */
  dir: string;
  runDir: string;
  out: RenderOutput;
  proc: ChildProcess;
  /** the token the status server answers */
  token(): Promise<string>;
  /** renders `raw` again into the same dir, checks it and reloads (SIGHUP); resolves when the new token serves */
  reload(raw: unknown, nginx?: NginxContext): Promise<RenderOutput>;
  errorLog(): string;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** changes the validated document before it is rendered (fields a newer schema will have) */
  patch?: (doc: Document) => void;
}

/** Renders `raw` (validated), checks it with `nginx -t`, and runs it until `stop()`. */
export async function startNginx(raw: unknown, nginx: NginxContext = {}, ctx: Partial<NginxRenderContext> = {}, opts: StartOptions = {}): Promise<RunningNginx> {
  const root = tempDir('amph-ngx');
  const runDir = path.join(root, 'run');
  const prefix = path.join(root, 'prefix');
  const dir = path.join(root, 'conf');
  fs.mkdirSync(runDir);
  const render = (r: unknown, n: NginxContext): RenderOutput => {
    const doc = valid(r);
    opts.patch?.(doc);
    const out = renderNginx(doc, { capabilities: nginxCapabilities('1.22.1'), runDir, fdLimit: 20000, ...ctx, nginx: { accessLog: false, ...n } });
    fs.rmSync(dir, { recursive: true, force: true });
    writeRendered(dir, out);
    const check = checkNginxConfig(dir, prefix);
    if (!check.ok) throw new Error(`nginx -t refused the rendered config:\n${check.output}\n${out.files[NGINX_MAIN]}`);
    return out;
  };
  const out = render(raw, nginx);
  const proc = spawn(NGINX, ['-p', prefix, '-c', path.join(dir, NGINX_MAIN), '-e', path.join(prefix, 'error.log'), '-g', 'daemon off;'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr?.on('data', (d) => (stderr += d.toString()));
  const sock = path.join(runDir, STATUS_SOCKET);
  const token = async () => (await unixGet(sock, '/config-token')).body;
  const serving = (want: string, what: string) =>
    waitFor(async () => {
      if (proc.exitCode !== null) throw new Error(`nginx exited ${proc.exitCode}: ${stderr}`);
      return (await token()) === want;
    }, 15000, what);
  const stop = async () => {
    if (proc.exitCode === null && proc.signalCode === null) {
      const gone = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      await gone;
    }
    fs.rmSync(root, { recursive: true, force: true });
  };
  try {
    await serving(out.files[TOKEN_FILE].trim(), 'nginx to start');
  } catch (e) {
    await stop();
    throw e;
  }
  return {
    dir,
    runDir,
    out,
    proc,
    token,
    async reload(r, n = nginx) {
      const next = render(r, n);
      proc.kill('SIGHUP');
      await serving(next.files[TOKEN_FILE].trim(), 'nginx to reload');
      return next;
    },
    errorLog: () => {
      try {
        return fs.readFileSync(path.join(prefix, 'error.log'), 'utf8');
      } catch {
        return '';
      }
    },
    stop,
  };
}
