/**
 * The keepalived renderer: LVS for UDP/SCTP listeners and VRRP for an
 * ACTIVE_STANDBY amphora. Pure, like the haproxy renderer.
 */
import * as path from 'node:path';
import type { Document } from '../../schemas';
import { compiledTemplate } from '../templates';
import type { RenderContext } from '../types';
import { buildKeepalivedView, DEFAULT_VRRP_INTERFACE, needsKeepalived } from './build-view';
import type { KeepalivedView } from './view-model';
import { KEEPALIVED_MAIN } from './runtime-paths';

export { DEFAULT_VRRP_INTERFACE, keepalivedNeeds, needsKeepalived } from './build-view';
export { KEEPALIVED_MAIN, keepalivedRuntimePaths, OCTAVIA_VRRP_TIMING, type KeepalivedRuntimePaths } from './runtime-paths';


/** Kept for callers that named it: the NIC is now `RenderContext.vrrpInterface`. */
export type KeepalivedContext = RenderContext;

const TEMPLATE = compiledTemplate(path.join(__dirname, 'templates'), 'keepalived.conf.njk');

/** Prints a keepalived view model. */
export function printKeepalived(view: KeepalivedView): string {
  return TEMPLATE.render(view as unknown as object);
}

/** keepalived.conf when the document needs keepalived (UDP/SCTP listeners, VRRP), else null. */
export function renderKeepalived(doc: Document, ctx: KeepalivedContext): { files: Record<string, string> } | null {
  if (!needsKeepalived(doc)) return null;
  const view = buildKeepalivedView(doc, ctx.vrrpInterface ?? DEFAULT_VRRP_INTERFACE, ctx.runDir, ctx.vrrpTiming);
  return { files: { [KEEPALIVED_MAIN]: printKeepalived(view) } };
}
