/**
 * Real nginx on 127.50.2.0/24 through the shared L7 conformance suite
 * (test/lib/l7-conformance.ts; haproxy runs the same in haproxy-l7).
 */
import { describeL7 } from '../lib/l7-conformance';
import { startNginx } from '../lib/nginx-harness';

describeL7((raw) => startNginx(raw), '127.50.2');
