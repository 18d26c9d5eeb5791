/**
 * A minimal applied document for heartbeat unit tests: only the keys the
 * collector reads (listener ids, protocols, admin state; pool ids, protocols).
 */
import type { Document } from '../../schemas';

export interface DocListener {
  id: string;
  protocol?: string;
  enabled?: boolean;
}

/** A document-shaped object with these listeners and pools. */
export function heartbeatDoc(listeners: DocListener[], pools: { id: string; protocol?: string }[]): Document {
  return {
    schema_version: '1.0',
    generation: 1,
    loadbalancer: {
      loadbalancer_id: 'lb-1',
      listeners: listeners.map((l) => ({ listener_id: l.id, protocol: l.protocol ?? 'HTTP', admin_state_up: l.enabled ?? true })),
      pools: pools.map((p) => ({ pool_id: p.id, protocol: p.protocol ?? 'HTTP', members: [] })),
    },
  } as unknown as Document;
}
