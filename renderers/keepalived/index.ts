/** keepalived renderer (UDP/SCTP listeners via LVS, VRRP): filled in by the next commit. */
import type { Document } from '../../schemas';
import type { RenderContext } from '../types';

/** keepalived.conf when the document needs keepalived, else null. */
export function renderKeepalived(_doc: Document, _ctx: RenderContext): { files: Record<string, string> } | null {
  return null;
}
