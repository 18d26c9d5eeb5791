/**
 * Hitless reloads: clients send requests continuously (connections closed
 * after each request, and kept alive) while 50 applies change members and
 * weights. No request may fail, and no client retries: with
 * `option idle-close-on-response` the old worker does not close idle
 * keep-alive connections at soft-stop (a client could race that close); it
 * answers their next request with `Connection: close` instead.
 *
 * (The shared suite, test/lib/agent-hitless-conformance; nginx runs it in
 * nginx-agent-hitless.)
 */
import { describeHitless } from '../lib/agent-hitless-conformance';

jest.setTimeout(90000);

describeHitless('haproxy', '127.20.3');
