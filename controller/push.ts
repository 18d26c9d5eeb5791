/**
 * Pushing one document to many agents: each answer classified into what an
 * operator acts on (applied, unchanged, invalid with paths, stale or
 * conflicting generation, refused by the engine with its words, failed and
 * rolled back, unreachable), with at most `limit` pushes in flight.
 */
import type { ValidationError } from '../schemas/validate';
import { isErrorAnswer, type ApplyAnswer } from './agent-answers';
import type { AgentAnswer, AgentClient } from './agent-client';
import { mapLimit } from './pool';

export type PushStatus = 'applied' | 'unchanged' | 'invalid' | 'stale' | 'conflict' | 'engine_refused' | 'apply_failed' | 'unreachable' | 'error';

/** What one agent did with the document. */
export interface PushOutcome {
  agent: string;
  status: PushStatus;
  /** true when the agent serves this document now (applied or unchanged) */
  serving: boolean;
  /** one line for an operator */
  message: string;
  http_status?: number;
  generation?: number;
  config_hash?: string;
  /** invalid: every problem with its path */
  errors?: ValidationError[];
  /** stale, conflict: what the agent has applied */
  applied_generation?: number;
  /** engine_refused: what the engine said */
  engine_output?: string;
  /** apply_failed: whether the agent restored its previous configuration */
  rolled_back?: boolean;
  ms: number;
}

const BY_CODE: Record<string, PushStatus> = {
  DOCUMENT_INVALID: 'invalid',
  GENERATION_STALE: 'stale',
  GENERATION_CONFLICT: 'conflict',
  ENGINE_REFUSED: 'engine_refused',
  RENDER_FAILED: 'engine_refused',
  APPLY_FAILED: 'apply_failed',
};

/** Classifies the answer to `PUT /v1/loadbalancer`. Pure. */
export function classifyPut(agent: string, a: AgentAnswer<ApplyAnswer>, ms: number): PushOutcome {
  if (a.status === 200 && !isErrorAnswer(a.body)) {
    const b = a.body as ApplyAnswer;
    const unchanged = b.result === 'unchanged';
    return {
      agent, status: unchanged ? 'unchanged' : 'applied', serving: true, http_status: 200, generation: b.generation, config_hash: b.hash, ms,
      message: `${unchanged ? 'already serving' : 'applied'} generation ${b.generation}`,
    };
  }
  if (!isErrorAnswer(a.body)) {
    const body: unknown = a.body;
    const text = (typeof body === 'string' ? body : String(JSON.stringify(body))).slice(0, 200);
    return { agent, status: 'error', serving: false, http_status: a.status, message: `answered ${a.status}: ${text}`, ms };
  }
  const e = a.body;
  const out: PushOutcome = { agent, status: BY_CODE[e.code] ?? 'error', serving: false, http_status: a.status, message: `${e.code}: ${e.message}`, ms };
  if (e.errors) out.errors = e.errors;
  if (e.applied_generation !== undefined) out.applied_generation = e.applied_generation;
  if (e.generation !== undefined) out.generation = e.generation;
  if (e.engine_output !== undefined) out.engine_output = e.engine_output;
  if (e.rolled_back !== undefined) out.rolled_back = e.rolled_back;
  return out;
}

export interface PushOptions {
  /** pushes in flight at once */
  limit: number;
  /** called as each agent answers (a progress bar) */
  onOutcome?: (o: PushOutcome) => void;
  now?: () => number;
}

/** Pushes `doc` to every agent; never throws for one agent's failure. Outcomes keep the agents' order. */
export function pushDocument(doc: unknown, agents: readonly AgentClient[], o: PushOptions): Promise<PushOutcome[]> {
  const now = o.now ?? Date.now;
  return mapLimit(agents, o.limit, async (client) => {
    const t0 = now();
    let out: PushOutcome;
    try {
      out = classifyPut(client.url, await client.putLoadBalancer(doc), now() - t0);
    } catch (e) {
      const unreachable = (e as { code?: string }).code === 'AGENT_UNREACHABLE';
      out = { agent: client.url, status: unreachable ? 'unreachable' : 'error', serving: false, message: (e as Error).message, ms: now() - t0 };
    }
    o.onOutcome?.(out);
    return out;
  });
}

/** Counts of outcomes by status, for a summary line. */
export function countByStatus(outcomes: readonly PushOutcome[]): Partial<Record<PushStatus, number>> {
  const c: Partial<Record<PushStatus, number>> = {};
  for (const o of outcomes) c[o.status] = (c[o.status] ?? 0) + 1;
  return c;
}
