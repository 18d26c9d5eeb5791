/** Small builders of raw documents and a fixed render context, shared by the renderer tests. */
import { validateDocument, type Document } from '../../schemas';
import type { RenderContext } from '../../renderers/types';
import { GOLDEN_CONTEXT } from '../../renderers/haproxy/golden-context';
import { renderHaproxy } from '../../renderers/haproxy';
import { loadExample } from './examples';

/** The context golden files and unit tests render with. */
export const RENDER_CTX: RenderContext = GOLDEN_CONTEXT;

/** Validates or throws with every error (tests build only valid documents). */
export function valid(raw: unknown): Document {
  const r = validateDocument(raw);
  if (!r.ok) throw new Error(`document does not validate: ${JSON.stringify(r.errors, null, 1)}`);
  return r.doc;
}

/** A validated contract example. */
export function validExample(name: string): Document {
  return valid(loadExample(name));
}

type Raw = Record<string, any>;

/** An empty load balancer with a VIP. */
export function rawDoc(listeners: Raw[] = [], pools: Raw[] = [], lb: Raw = {}): Raw {
  return {
    schema_version: '1.0',
    generation: 1,
    loadbalancer: { loadbalancer_id: 'lb-1', vip_address: '127.10.0.1', listeners, pools, ...lb },
  };
}

/** A listener; `protocol` HTTP unless given. */
export function rawListener(id: string, port: number, defaultPool: string | null, extra: Raw = {}): Raw {
  return { listener_id: id, protocol: 'HTTP', protocol_port: port, default_pool_id: defaultPool, ...extra };
}

/** A pool; ROUND_ROBIN HTTP unless given. */
export function rawPool(id: string, members: Raw[], extra: Raw = {}): Raw {
  return { pool_id: id, protocol: 'HTTP', lb_algorithm: 'ROUND_ROBIN', members, ...extra };
}

/** A member. */
export function rawMember(id: string, address: string, port: number, extra: Raw = {}): Raw {
  return { member_id: id, address, protocol_port: port, ...extra };
}

/** An L7 policy. */
export function rawPolicy(id: string, action: string, rules: Raw[], extra: Raw = {}): Raw {
  return { l7policy_id: id, action, rules, ...extra };
}

/** An L7 rule. */
export function rawRule(id: string, type: string, compare: string, value: string, extra: Raw = {}): Raw {
  return { l7rule_id: id, type, compare_type: compare, value, ...extra };
}

/** The TLS material of the terminated-https example (certificates that validate). */
export function exampleTls(): { container: Raw; sni: Raw[]; ca: string } {
  const ex = loadExample('terminated-https-l7');
  const l = ex.loadbalancer.listeners.find((x: Raw) => x.protocol === 'TERMINATED_HTTPS');
  return { container: l.default_tls_container_data, sni: l.sni_container_data ?? [], ca: l.client_ca_tls_container_data };
}

/** The lines of a rendered config that start a section or a directive (no blanks, no comments). */
export function configLines(cfg: string): string[] {
  return cfg.split('\n').filter((l) => l.trim() !== '' && !l.trim().startsWith('#'));
}

/** Lines of one section (`frontend NAME`, `backend NAME`) of a haproxy config, trimmed. */
export function section(cfg: string, header: string): string[] {
  const lines = cfg.split('\n');
  const start = lines.indexOf(header);
  if (start < 0) throw new Error(`no section "${header}" in:\n${cfg}`);
  const out: string[] = [];
  for (const l of lines.slice(start + 1)) {
    if (!l.startsWith(' ')) break;
    out.push(l.trim());
  }
  return out;
}

/** Renders a raw document (validated first) with the fixed context. */
export const render = (raw: unknown, ctx = RENDER_CTX) => renderHaproxy(valid(raw), ctx);
/** Only the haproxy.cfg of `render`. */
export const cfgOf = (raw: unknown, ctx = RENDER_CTX) => render(raw, ctx).files['haproxy.cfg'];
export const m1 = rawMember('m1', '192.0.2.1', 80);
export const m2 = rawMember('m2', '192.0.2.2', 80);
/** One HTTP listener l1:80 on pool p1 with members m1, m2; extras merged into pool and listener. */
export const basic = (poolExtra = {}, listenerExtra = {}, members = [m1, m2]) =>
  rawDoc([rawListener('l1', 80, 'p1', listenerExtra)], [rawPool('p1', members, poolExtra)]);
