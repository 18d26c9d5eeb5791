/**
 * Versions of the document format and of the API.
 *
 * Changelog of `schema_version`:
 * - 1.0: the octavia-lib provider LoadBalancer with listeners and pools nested, plus `amphora`.
 */
export const SCHEMA_MAJOR = 1;
export const SCHEMA_MINOR = 0;
export const SCHEMA_VERSION = `${SCHEMA_MAJOR}.${SCHEMA_MINOR}`;
/** Versions a document may carry: every minor of these majors. */
export const SUPPORTED_SCHEMA_VERSIONS = [`${SCHEMA_MAJOR}.x`];
export const API_VERSIONS = ['v1'];
