/**
 * Hitless reloads on nginx (the shared suite of agent-hitless): 50 applies
 * under keep-alive and close load, no request may fail. nginx 1.22 closes the
 * old workers' idle keep-alive connections when a reload starts
 * (ngx_close_idle_connections); the agent drains them first
 * (agent/engines/nginx-drain.ts: every answer `Connection: close` until none
 * is idle), so no client sends on a connection nginx is closing.
 * 127.50.23.0/24.
 */
import { describeHitless } from '../lib/agent-hitless-conformance';

jest.setTimeout(90000);

describeHitless('nginx', '127.50.23');
