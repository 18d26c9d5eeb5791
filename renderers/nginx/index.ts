/**
 * The nginx renderer: document -> nginx.conf, the TLS files it names, its
 * config token and, for an ACTIVE_STANDBY amphora, keepalived.conf (VRRP
 * only: nginx serves UDP itself). Pure: the view model is built and escaped
 * in TypeScript; the template only prints it.
 */
import * as path from 'node:path';
import type { Document } from '../../schemas';
import { compiledTemplate } from '../templates';
import type { RenderOutput } from '../types';
import { renderKeepalived } from '../keepalived';
import { buildNginxView } from './build-view';
import type { FileSink } from './build-tls';
import { NGINX_MAIN, TOKEN_FILE, type NginxRenderContext } from './context';
import { configToken } from './token';
import { nginxServePlan } from './serve-plan';
import { vipAddresses } from '../haproxy/build-view';
import type { NginxView } from './view-model';

export * from './context';
export { checkNginx } from './refusals';
export { configToken } from './token';

// compiled once at load (ahead of time by the build: renderers/templates.ts); templates sit beside this file
const TEMPLATE = compiledTemplate(path.join(__dirname, 'templates'), 'nginx.conf.njk');

/** Prints a view model with the nginx template. */
export function printNginx(view: NginxView): string {
  return TEMPLATE.render(view as unknown as object);
}

/** The document without what keepalived would serve for haproxy: nginx proxies UDP itself, so keepalived keeps VRRP only. */
function vrrpOnly(doc: Document): Document {
  return { ...doc, loadbalancer: { ...doc.loadbalancer, listeners: doc.loadbalancer.listeners.filter((l) => l.protocol !== 'UDP' && l.protocol !== 'SCTP') } };
}

/** Renders a validated document for nginx. */
export function renderNginx(doc: Document, ctx: NginxRenderContext): RenderOutput {
  const sink: FileSink = { files: {}, secrets: [] };
  const partial = buildNginxView(doc, ctx, sink);
  const token = configToken(JSON.stringify(partial), sink.files);
  const files: Record<string, string> = { [NGINX_MAIN]: printNginx({ ...partial, token }), [TOKEN_FILE]: `${token}\n`, ...sink.files };
  if (doc.amphora?.topology === 'ACTIVE_STANDBY') {
    const ka = renderKeepalived(vrrpOnly(doc), ctx);
    if (ka) Object.assign(files, ka.files);
  }
  const serves = nginxServePlan(doc, vipAddresses(doc), new Set(ctx.nginx?.downMembers ?? []));
  return { files, main: NGINX_MAIN, secrets: [...new Set(sink.secrets)].sort(), serves };
}

