/** The heartbeat message's JSON (contract section 4), as a zod schema and its types. */
import { z } from 'zod';

export const LISTENER_STATUSES = ['OPEN', 'FULL', 'DOWN'] as const;
export const POOL_STATUSES = ['UP', 'DOWN'] as const;
export const MEMBER_STATUSES = ['UP', 'DOWN', 'DRAIN', 'MAINT', 'no check'] as const;

export type ListenerStatus = (typeof LISTENER_STATUSES)[number];
export type PoolStatus = (typeof POOL_STATUSES)[number];
export type MemberStatus = (typeof MEMBER_STATUSES)[number];

const count = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
// ids are opaque to the receiver (UUIDs from Octavia, `POOL:LISTENER` for pools) but
// bounded to a plain alphabet (zod's records already drop a "__proto__" key)
export const HEARTBEAT_KEY = /^[A-Za-z0-9._:-]{1,255}$/;
const key = z.string().regex(HEARTBEAT_KEY, { message: 'must be an id of letters, digits, ".", "_", ":" or "-"' });

export const listenerStatsSchema = z.object({ tx: count, rx: count, conns: count, totconns: count, ereq: count });

export const heartbeatMessageSchema = z.object({
  id: key,
  seq: count,
  ver: z.number().int().min(0),
  listeners: z.record(key, z.object({ status: z.enum(LISTENER_STATUSES), stats: listenerStatsSchema })),
  pools: z.record(key, z.object({ status: z.enum(POOL_STATUSES), members: z.record(key, z.enum(MEMBER_STATUSES)) })),
  generation: count.optional(),
  config_hash: z.string().max(255).optional(),
  members_omitted: z.array(key).optional(),
});

export type ListenerStats = z.infer<typeof listenerStatsSchema>;
export type HeartbeatMessage = z.infer<typeof heartbeatMessageSchema>;
export type ListenerReport = HeartbeatMessage['listeners'][string];
export type PoolReport = HeartbeatMessage['pools'][string];
