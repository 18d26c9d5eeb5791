/** The contract, executable: types, schemas, validation and versions. */
export * from './document';
export * from './enums';
export * from './validate';
export * from './version';
export { formatPath } from './raw';
export * from './capabilities';
