/**
 * Synthetic haproxy 2.6 `show stat` / `show info` text for heartbeat tests and
 * the benchmark. The header and the row templates are real output captured from
 * haproxy 2.6.12 (one frontend, one server, one backend); only the named
 * columns are changed, so every row has haproxy's real width and empty cells.
 */
import { createHash } from 'node:crypto';

export const SHOW_STAT_HEADER =
  '# pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,dreq,dresp,ereq,econ,eresp,wretr,wredis,status,weight,act,bck,chkfail,chkdown,lastchg,downtime,qlimit,pid,iid,sid,throttle,lbtot,tracked,type,rate,rate_lim,rate_max,check_status,check_code,check_duration,hrsp_1xx,hrsp_2xx,hrsp_3xx,hrsp_4xx,hrsp_5xx,hrsp_other,hanafail,req_rate,req_rate_max,req_tot,cli_abrt,srv_abrt,comp_in,comp_out,comp_byp,comp_rsp,lastsess,last_chk,last_agt,qtime,ctime,rtime,ttime,agent_status,agent_code,agent_duration,check_desc,agent_desc,check_rise,check_fall,check_health,agent_rise,agent_fall,agent_health,addr,cookie,mode,algo,conn_rate,conn_rate_max,conn_tot,intercepted,dcon,dses,wrew,connect,reuse,cache_lookups,cache_hits,srv_icur,src_ilim,qtime_max,ctime_max,rtime_max,ttime_max,eint,idle_conn_cur,safe_conn_cur,used_conn_cur,need_conn_est,uweight,agg_server_status,agg_server_check_status,agg_check_status,-,ssl_sess,ssl_reused_sess,ssl_failed_handshake,h2_headers_rcvd,h2_data_rcvd,h2_settings_rcvd,h2_rst_stream_rcvd,h2_goaway_rcvd,h2_detected_conn_protocol_errors,h2_detected_strm_protocol_errors,h2_rst_stream_resp,h2_goaway_resp,h2_open_connections,h2_backend_open_streams,h2_total_connections,h2_backend_total_streams,h1_open_connections,h1_open_streams,h1_total_connections,h1_total_streams,h1_bytes_in,h1_bytes_out,h1_spliced_bytes_in,h1_spliced_bytes_out,';

const FRONTEND =
  'lis-1,FRONTEND,,,0,2,50,1,85,217,0,0,0,,,,,OPEN,,,,,,,,,1,2,0,,,,0,0,0,1,,,,0,0,0,0,1,0,,0,1,1,,,0,0,0,0,,,,,,,,,,,,,,,,,,,,,http,,0,1,1,0,0,0,0,,,0,0,,,,,,,0,,,,,,,,,-,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,1,1,82,214,0,0,';
const SERVER =
  'pool-1:lis-1,mem-up,0,0,0,0,,0,0,0,,0,,0,0,0,0,UP,1,1,0,1,1,5,2,,1,4,1,,0,,2,0,,0,L7OK,200,1,0,0,0,0,0,0,,,,0,0,0,,,,,-1,,,0,0,0,0,,,,Layer7 check passed,,2,3,4,,,,127.30.255.2:18090,,http,,,,,,,,0,0,0,,,0,,0,0,0,0,0,0,0,0,1,1,,,,-,0,0,0,,,,,,,,,,,,,,,,,,,,,,';
const BACKEND =
  'pool-1:lis-1,BACKEND,0,0,0,1,5,1,85,217,0,0,,1,0,3,0,UP,2,2,0,,0,7,0,,1,4,0,,1,,1,0,,1,,,,0,0,0,0,1,0,,,,1,0,0,0,0,0,0,4,,,0,0,0,0,,,,,,,,,,,,,,http,roundrobin,,,,,,,0,4,0,0,0,,,0,0,0,0,0,,,,,2,0,0,0,-,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,23,23,2645,108,0,0,';

const COLUMNS = SHOW_STAT_HEADER.slice(2).split(',');

function row(template: string, set: Record<string, string | number>): string {
  const cells = template.split(',');
  for (const [k, v] of Object.entries(set)) {
    const at = COLUMNS.indexOf(k);
    if (at < 0) throw new Error(`no column ${k}`);
    cells[at] = String(v);
  }
  return cells.join(',');
}

export interface FrontendSpec {
  name: string;
  status?: string;
  scur?: number;
  slim?: number | '';
  stot?: number;
  bin?: number;
  bout?: number;
  ereq?: number;
}
export interface ServerSpec {
  name: string;
  status: string;
  weight?: number;
}
export interface BackendSpec {
  name: string;
  status?: string;
  servers: ServerSpec[];
}

/** `show stat` text for these frontends and backends. */
export function showStat(frontends: FrontendSpec[], backends: BackendSpec[]): string {
  const lines = [SHOW_STAT_HEADER];
  for (const f of frontends) {
    lines.push(row(FRONTEND, { pxname: f.name, status: f.status ?? 'OPEN', scur: f.scur ?? 0, slim: f.slim ?? 2000, stot: f.stot ?? 0, bin: f.bin ?? 0, bout: f.bout ?? 0, ereq: f.ereq ?? 0 }));
  }
  for (const b of backends) {
    b.servers.forEach((s, i) => lines.push(row(SERVER, { pxname: b.name, svname: s.name, status: s.status, weight: s.weight ?? 1, sid: i + 1 })));
    lines.push(row(BACKEND, { pxname: b.name, status: b.status ?? 'UP' }));
  }
  return lines.join('\n') + '\n\n';
}

/** `show info` text (the keys the collector reads, among realistic others). */
export function showInfo(pid: number, uptimeSec: number, startTimeSec = 1795610000): string {
  return [
    'Name: HAProxy',
    'Version: 2.6.12-1+deb12u4',
    'Nbthread: 2',
    `Pid: ${pid}`,
    `Uptime: 0d 0h00m${uptimeSec}s`,
    `Uptime_sec: ${uptimeSec}`,
    'Maxconn: 1000',
    'CurrConns: 0',
    `Start_time_sec: ${startTimeSec}`,
    '',
  ].join('\n');
}

/** A stable UUID-looking id, so synthetic data compresses like real ids (not like "m1", "m2"). */
export function fakeUuid(seed: string): string {
  const h = createHash('sha1').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** A realistic load balancer: `listeners` listeners, each with one pool, `members` members spread over them. */
export function synthLoadBalancer(listeners: number, members: number): {
  listenerIds: string[];
  poolIds: string[];
  memberIds: string[][];
  showStat: string;
} {
  const listenerIds = Array.from({ length: listeners }, (_, i) => fakeUuid(`listener-${i}`));
  const poolIds = Array.from({ length: listeners }, (_, i) => fakeUuid(`pool-${i}`));
  const memberIds = poolIds.map((_, p) => Array.from({ length: Math.floor(members / listeners) + (p < members % listeners ? 1 : 0) }, (_, m) => fakeUuid(`member-${p}-${m}`)));
  const statuses = ['UP', 'UP', 'UP', 'UP', 'UP 2/3', 'DOWN', 'no check', 'MAINT'];
  const text = showStat(
    listenerIds.map((id, i) => ({ name: id, scur: 3 + i, stot: 1000 * (i + 1), bin: 123456 * (i + 1), bout: 654321 * (i + 1), ereq: i })),
    poolIds.map((p, i) => ({ name: `${p}:${listenerIds[i]}`, servers: memberIds[i].map((m, j) => ({ name: m, status: statuses[j % statuses.length] })) })),
  );
  return { listenerIds, poolIds, memberIds, showStat: text };
}
