/**
 * The haproxy renderer: document -> haproxy.cfg plus TLS files (and
 * keepalived.conf when UDP/SCTP listeners or VRRP need it). Pure: the view
 * model is built and escaped in TypeScript; the templates only print it.
 */
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import type { Document } from '../../schemas';
import { compiledTemplate } from '../templates';
import type { RenderContext, RenderFn, RenderOutput } from '../types';
import { buildHaproxyView } from './build-view';
import type { FileSink } from './build-tls';
import type { HaproxyView } from './view-model';
import { renderKeepalived } from '../keepalived';

/** Name of the main file; the agent runs `haproxy -C <configdir> -f <configdir>/haproxy.cfg`. */
export const HAPROXY_MAIN = 'haproxy.cfg';

// compiled once at load (ahead of time by the build: renderers/templates.ts); templates sit beside this file
const TEMPLATE = compiledTemplate(path.join(__dirname, 'templates'), 'haproxy.cfg.njk');

/** Prints a view model with the haproxy template. */
export function printHaproxy(view: HaproxyView): string {
  return TEMPLATE.render(view as unknown as object);
}

/**
 * Hash of the files with every backend's servers left out (the peers
 * section's servers stay: they are not members). haproxy.cfg is hashed as
 * the view model it is printed from (the template only prints it), without
 * the backends' `servers` and `members`: far cheaper than its 5 MB of text.
 */
export function skeletonHash(files: Record<string, string>, view: HaproxyView): string {
  const h = createHash('sha256');
  h.update(JSON.stringify(view, (key, value: unknown) => (key === 'servers' || key === 'members' ? undefined : value)));
  for (const name of Object.keys(files).sort()) {
    if (name !== HAPROXY_MAIN) h.update(`${name}\0${files[name].length}\0${files[name]}\0`);
  }
  return h.digest('hex');
}

/** Renders a validated document for haproxy. */
export const renderHaproxy: RenderFn = (doc: Document, ctx: RenderContext, o?: { filesOnly?: boolean }): RenderOutput => {
  const sink: FileSink = { files: {}, secrets: [] };
  const { view, serves } = buildHaproxyView(doc, ctx, sink);
  const main = printHaproxy(view);
  const files: Record<string, string> = { [HAPROXY_MAIN]: main, ...sink.files };
  const ka = renderKeepalived(doc, ctx);
  if (ka) Object.assign(files, ka.files);
  const secrets = [...new Set(sink.secrets)].sort();
  return o?.filesOnly ? { files, main: HAPROXY_MAIN, secrets, serves } : { files, main: HAPROXY_MAIN, secrets, serves, skeletonHash: skeletonHash(files, view) };
};
