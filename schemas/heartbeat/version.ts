/**
 * Version of the heartbeat message (contract section 4), the `ver` key.
 *
 * Changelog of `ver` (Octavia's numbering, kept so its controller reads ours):
 * - 1: listener status is reported for UDP listeners even without pools or members.
 * - 2: one combined engine config for all listeners; pools keyed `POOL_ID:LISTENER_ID`.
 * - 3: listener `tx`, `rx`, `totconns` and `ereq` are deltas since the previous
 *      message instead of absolute counters. This agent also adds `generation`
 *      and `config_hash` (extra keys, allowed) and, only when a message had to be
 *      trimmed to fit one datagram, `members_omitted` (the pool keys whose member
 *      detail was left out).
 */
export const HEARTBEAT_VERSION = 3;

/** Largest datagram the agent sends: the IPv4 UDP payload limit, also below Octavia's 64 KiB receive buffer. */
export const MAX_DATAGRAM_BYTES = 65507;

/** Length of the HMAC-SHA256 trailer: 64 lowercase hex characters (32 raw bytes in Octavia's legacy form). */
export const HEX_DIGEST_BYTES = 64;
export const RAW_DIGEST_BYTES = 32;
