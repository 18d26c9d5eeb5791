/** What `nginx -V` says of the binary: its version, and how the stream module comes (built in, a module, absent). */
import * as path from 'node:path';
import { EngineFailed } from '../errors';
import type { EngineVersion } from './types';

export interface NginxBuild extends EngineVersion {
  /** absolute path of ngx_stream_module.so, or null when stream is built in */
  streamModule: string | null;
  /** false when this nginx has no stream module at all (no TCP, HTTPS passthrough or UDP) */
  stream: boolean;
}

/** Parses `nginx -V` (nginx writes it to stderr). */
export function parseNginxBuild(out: string): NginxBuild {
  const full = out.split('\n').find((l) => /nginx version:/.test(l))?.trim() ?? '';
  const m = /nginx\/(\d+\.\d+(?:\.\d+)?)/.exec(full);
  if (!m) throw new EngineFailed(`cannot read the nginx version from "${out.split('\n')[0] ?? ''}"`);
  const args = /configure arguments:(.*)/.exec(out)?.[1] ?? '';
  const dynamic = /--with-stream=dynamic(?:\s|$)/.test(args);
  const modules = /--modules-path=(\S+)/.exec(args)?.[1] ?? '/usr/lib/nginx/modules';
  const stream = dynamic || /--with-stream(?:\s|$)/.test(args);
  return { version: m[1], full, stream, streamModule: dynamic ? path.join(modules, 'ngx_stream_module.so') : null };
}
