/**
 * Hitless reloads on nginx (the shared suite of agent-hitless): 50 applies
 * under keep-alive and close load. New connections never fail. nginx 1.22
 * closes the old workers' idle keep-alive connections when a reload starts
 * (ngx_close_idle_connections; it has nothing like haproxy's
 * idle-close-on-response), so a keep-alive client that sends on one at that
 * instant gets a reset: those are counted and reported, and must be the only
 * failures (renderers/nginx/README.md). 127.50.23.0/24.
 */
import { describeHitless } from '../lib/agent-hitless-conformance';

jest.setTimeout(90000);

describeHitless('nginx', '127.50.23', { idleCloseRace: true });
