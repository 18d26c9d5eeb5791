/** Names of the files haproxy and the agent share in the run directory (light: the daemon imports it). */

/** Where the agent saves `show servers state` just before a reload; the new worker loads it. */
export const SERVER_STATE_FILE = 'server-state';
