/**
 * The agent's configuration (contract section 5): the INI file a stock Octavia
 * controller writes to a VM's config drive. Parsed once at start and passed
 * down; unknown sections and keys are ignored, a bad value stops the start
 * with a ConfigError naming the section and key.
 */
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import * as ini from 'ini';
import type { VrrpTiming } from '../renderers/types';
import { ConfigError } from './errors';

export interface ControllerAddress {
  host: string;
  port: number;
}

export interface AgentConfig {
  debug: boolean;
  bindHost: string;
  bindPort: number;
  haproxyCmd: string;
  nginxCmd: string;
  /** engine = nginx: set net.ipv4/ipv6.ip_nonlocal_bind to 1 at start when 0 (`nginx_nonlocal_bind`, own key, default True) */
  nginxNonlocalBind: boolean;
  keepalivedCmd: string;
  controllers: ControllerAddress[];
  heartbeatInterval: number;
  heartbeatKey: string;
  /** PEM file holding the agent's certificate and its private key */
  serverCertFile: string;
  /** PEM file of the CA whose client certificates are accepted */
  serverCaFile: string;
  amphoraId: string;
  /** seconds */
  requestReadTimeout: number;
  engine: 'haproxy' | 'nginx';
  stateDir: string;
  /** engine sockets and pid files; `run_dir` (own key), default `${state_dir}/run` */
  runDir: string;
  maxRequestBytes: number;
  /** seconds: base time budget of an engine check, start or reload, plus 10 s per MiB of configuration (`engine_timeout`, own key) */
  engineTimeout: number;
  /** the NIC carrying the VIPs and VRRP adverts (`vrrp_interface`, own key) */
  vrrpInterface: string;
  /** `[keepalived_vrrp]`, Octavia's option names and defaults */
  vrrpTiming: VrrpTiming;
}

type Section = Record<string, unknown>;

const HEARTBEAT_PORT = 5555;

/** Reads one key of one section as a string, or the default. */
function text(ini: Record<string, Section>, section: string, key: string, def?: string): string {
  const v = ini[section]?.[key];
  if (v === undefined || v === null || v === '') {
    if (def === undefined) throw new ConfigError(section, key, 'is required');
    return def;
  }
  if (typeof v === 'boolean') return String(v); // ini turns true/false into booleans
  if (typeof v !== 'string') throw new ConfigError(section, key, 'must be a single value');
  return v.trim();
}

function integer(ini: Record<string, Section>, section: string, key: string, def: number, min: number, max: number): number {
  const v = text(ini, section, key, String(def));
  if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) {
    throw new ConfigError(section, key, `must be an integer from ${min} to ${max}, not "${v}"`);
  }
  return Number(v);
}

function bool(ini: Record<string, Section>, section: string, key: string, def: boolean): boolean {
  const v = text(ini, section, key, String(def)).toLowerCase();
  if (['true', 'yes', 'on', '1'].includes(v)) return true;
  if (['false', 'no', 'off', '0'].includes(v)) return false;
  throw new ConfigError(section, key, `must be true or false, not "${v}"`);
}

function absolutePath(ini: Record<string, Section>, section: string, key: string, def?: string): string {
  const v = text(ini, section, key, def);
  if (!path.isAbsolute(v)) throw new ConfigError(section, key, `must be an absolute path, not "${v}"`);
  return v;
}

/** A network interface name as Linux allows it (at most 15 characters) and keepalived reads it as one word. */
function interfaceName(ini: Record<string, Section>, section: string, key: string, def: string): string {
  const v = text(ini, section, key, def);
  if (!/^[A-Za-z0-9_.-]{1,15}$/.test(v) || v === '.' || v === '..') throw new ConfigError(section, key, `must be a network interface name (letters, digits, "_", ".", "-"; at most 15), not "${v}"`);
  return v;
}

/** Octavia's `[keepalived_vrrp]` options, with its defaults. */
function vrrpTiming(c: Record<string, Section>): VrrpTiming {
  const k = 'keepalived_vrrp';
  return {
    advertInt: integer(c, k, 'vrrp_advert_int', 1, 1, 255),
    checkInterval: integer(c, k, 'vrrp_check_interval', 5, 1, 3600),
    failCount: integer(c, k, 'vrrp_fail_count', 2, 1, 100),
    successCount: integer(c, k, 'vrrp_success_count', 2, 1, 100),
    garpRefreshInterval: integer(c, k, 'vrrp_garp_refresh_interval', 5, 0, 86400),
    garpRefreshCount: integer(c, k, 'vrrp_garp_refresh_count', 2, 1, 255),
  };
}

/** Parses `IP:PORT, IP:PORT` the way Octavia does (split at the last colon), IPv6 bracketed or not. */
export function parseControllerList(value: string): ControllerAddress[] {
  const out: ControllerAddress[] = [];
  for (const item of value.split(',').map((s) => s.trim()).filter(Boolean)) {
    const at = item.lastIndexOf(':');
    let host = at > 0 ? item.slice(0, at) : item;
    const portText = at > 0 ? item.slice(at + 1) : String(HEARTBEAT_PORT);
    if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
    const port = Number(portText);
    if (!net.isIP(host)) throw new ConfigError('health_manager', 'controller_ip_port_list', `"${item}" is not IP:PORT`);
    if (!/^\d+$/.test(portText) || port < 1 || port > 65535) {
      throw new ConfigError('health_manager', 'controller_ip_port_list', `"${item}" has no valid port`);
    }
    out.push({ host, port });
  }
  return out;
}

/**
 * oslo.config only treats whole lines starting with "#" or ";" as comments, while
 * the ini package also cuts values at an inline ";" or "#": a heartbeat_key
 * holding one would be silently shortened. Escaping them keeps oslo's meaning.
 */
function escapeInlineComments(content: string): string {
  return content
    .split(/\r?\n/)
    .map((line) => {
      const eq = line.indexOf('=');
      if (eq < 0 || /^\s*[;#[]/.test(line)) return line;
      return line.slice(0, eq + 1) + line.slice(eq + 1).replace(/\\/g, '\\\\').replace(/[;#]/g, (m) => `\\${m}`);
    })
    .join('\n');
}

/** Parses the INI text into the agent's configuration; throws ConfigError on the first bad value. */
export function parseConfig(textContent: string): AgentConfig {
  const c = ini.parse(escapeInlineComments(textContent)) as Record<string, Section>;
  const bindHost = text(c, 'haproxy_amphora', 'bind_host', '0.0.0.0');
  if (!net.isIP(bindHost)) throw new ConfigError('haproxy_amphora', 'bind_host', `must be an IP address, not "${bindHost}"`);
  const engine = text(c, 'amphora_agent', 'engine', 'haproxy');
  if (engine !== 'haproxy' && engine !== 'nginx') throw new ConfigError('amphora_agent', 'engine', `must be haproxy or nginx, not "${engine}"`);
  const stateDir = absolutePath(c, 'amphora_agent', 'state_dir', '/var/lib/amphora-agent');
  return {
    debug: bool(c, 'DEFAULT', 'debug', false),
    bindHost,
    bindPort: integer(c, 'haproxy_amphora', 'bind_port', 9443, 1, 65535),
    haproxyCmd: absolutePath(c, 'haproxy_amphora', 'haproxy_cmd', '/usr/sbin/haproxy'),
    nginxCmd: absolutePath(c, 'amphora_agent', 'nginx_cmd', '/usr/sbin/nginx'),
    nginxNonlocalBind: bool(c, 'amphora_agent', 'nginx_nonlocal_bind', true),
    keepalivedCmd: absolutePath(c, 'amphora_agent', 'keepalived_cmd', '/usr/sbin/keepalived'),
    controllers: parseControllerList(text(c, 'health_manager', 'controller_ip_port_list', '')),
    heartbeatInterval: integer(c, 'health_manager', 'heartbeat_interval', 10, 1, 3600),
    heartbeatKey: text(c, 'health_manager', 'heartbeat_key', ''),
    serverCertFile: absolutePath(c, 'amphora_agent', 'agent_server_cert'),
    serverCaFile: absolutePath(c, 'amphora_agent', 'agent_server_ca'),
    amphoraId: text(c, 'amphora_agent', 'amphora_id', ''),
    requestReadTimeout: integer(c, 'amphora_agent', 'agent_request_read_timeout', 180, 1, 86400),
    engine,
    stateDir,
    runDir: absolutePath(c, 'amphora_agent', 'run_dir', path.join(stateDir, 'run')),
    // 8 MiB: the largest documents within schemas/limits.ts apply in under 512 MiB (docs/configuration.md "Limits")
    maxRequestBytes: integer(c, 'amphora_agent', 'max_request_bytes', 8388608, 1024, 1 << 30),
    engineTimeout: integer(c, 'amphora_agent', 'engine_timeout', 30, 1, 3600),
    vrrpInterface: interfaceName(c, 'amphora_agent', 'vrrp_interface', 'eth1'),
    vrrpTiming: vrrpTiming(c),
  };
}

/** Reads and parses the configuration file. */
export function loadConfig(file: string, readFile: (f: string) => string = (f) => fs.readFileSync(f, 'utf8')): AgentConfig {
  let content: string;
  try {
    content = readFile(file);
  } catch (e) {
    throw new ConfigError('', '', `cannot read the configuration file ${file}: ${(e as Error).message}`, { cause: e });
  }
  return parseConfig(content);
}

export interface TlsMaterial {
  /** certificate chain and private key, one PEM as Octavia writes `agent_server_cert` */
  certAndKey: string;
  ca: string;
}

/** Reads the TLS files named by the configuration; a missing or key-less file names its key. */
export function readTlsMaterial(cfg: AgentConfig, readFile: (f: string) => string = (f) => fs.readFileSync(f, 'utf8')): TlsMaterial {
  const read = (key: string, file: string): string => {
    try {
      return readFile(file);
    } catch (e) {
      throw new ConfigError('amphora_agent', key, `cannot read ${file}: ${(e as Error).message}`, { cause: e });
    }
  };
  const certAndKey = read('agent_server_cert', cfg.serverCertFile);
  if (!/-----BEGIN [A-Z ]*CERTIFICATE-----/.test(certAndKey)) throw new ConfigError('amphora_agent', 'agent_server_cert', `${cfg.serverCertFile} holds no certificate`);
  if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(certAndKey)) throw new ConfigError('amphora_agent', 'agent_server_cert', `${cfg.serverCertFile} holds no private key (certificate and key go in one PEM)`);
  const ca = read('agent_server_ca', cfg.serverCaFile);
  if (!/-----BEGIN [A-Z ]*CERTIFICATE-----/.test(ca)) throw new ConfigError('amphora_agent', 'agent_server_ca', `${cfg.serverCaFile} holds no certificate`);
  return { certAndKey, ca };
}
