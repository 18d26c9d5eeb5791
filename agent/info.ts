/** The facts of GET /v1/info, gathered once at start (the engine binary is run once for its version). */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { API_VERSIONS, SCHEMA_VERSION, SUPPORTED_SCHEMA_VERSIONS } from '../schemas/version';
import type { EngineCapabilities } from '../renderers/types';
import type { InfoBody } from '../schemas/api';
import type { EngineVersion } from './engines/types';
import type { ProcessRunner } from './process-runner';

/** GET /v1/info (schemas/api.ts). */
export type AgentInfo = InfoBody;

/** The agent's version from the nearest package.json named amphora-agent above this file. */
export function agentVersion(start: string = __dirname): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    try {
      const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'amphora-agent') return pkg.version ?? 'unknown';
    } catch {
      // not here; keep walking up
    }
    if (path.dirname(dir) === dir) return 'unknown';
  }
}

/** `openssl version`, or node's own OpenSSL when the binary is absent. */
export async function opensslVersion(runner: ProcessRunner): Promise<string> {
  try {
    const r = await runner.run('openssl', ['version'], { timeoutMs: 5000 });
    if (r.code === 0 && r.stdout.trim()) return r.stdout.trim();
  } catch {
    // fall through to node's OpenSSL
  }
  return `OpenSSL ${process.versions.openssl} (node's)`;
}

/** Builds the info record. */
export function buildInfo(p: { engine: EngineVersion; engineName: InfoBody['engine']['name']; openssl: string; amphoraId: string; capabilities: EngineCapabilities }): AgentInfo {
  return {
    agent: 'amphora-agent' as const,
    agent_version: agentVersion(),
    api_versions: [...API_VERSIONS],
    schema_version: SCHEMA_VERSION,
    schema_versions: [...SUPPORTED_SCHEMA_VERSIONS],
    engine: { name: p.engineName, version: p.engine.version, full_version: p.engine.full },
    openssl_version: p.openssl,
    node_version: process.version,
    hostname: os.hostname(),
    amphora_id: p.amphoraId,
    capabilities: p.capabilities,
  };
}
