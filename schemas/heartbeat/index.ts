/** The heartbeat codec, shared by the agent's sender and the controller's receiver. */
export * from './codec';
export * from './message';
export * from './version';
