#!/usr/bin/python3
"""Octavia's own haproxy renderer on one of our documents: the speed and
semantics anchor of bench/render and bench/validate.

    /usr/bin/python3 bench/octavia/render.py DOC.json [--repeat N] [--out FILE]

Needs Debian's python3-octavia (any release with the combined_listeners
Jinja templater). Maps the contract document onto Octavia's internal data
models (the shape its controller worker hands to the templater), renders it
N times and prints `octavia render median_ms=X runs=N` on stderr; the config
goes to FILE or stdout. Certificates are referenced by path, never written:
this measures rendering, as Octavia does it before uploading the files.
Exit code 3 when Octavia is not importable.
"""
import argparse
import json
import statistics
import sys
import time

try:
    from octavia.common import data_models as dm
    from octavia.common.config import cfg
    from octavia.common.jinja.haproxy.combined_listeners import jinja_cfg
except ImportError as exc:  # pragma: no cover - depends on the machine
    print('octavia render unavailable: %s' % exc, file=sys.stderr)
    sys.exit(3)

CERTS = '/var/lib/octavia/certs'


def to_monitor(h):
    if not h:
        return None
    return dm.HealthMonitor(
        id=h['healthmonitor_id'], type=h['type'], delay=h['delay'], timeout=h['timeout'],
        rise_threshold=h.get('max_retries', 3), fall_threshold=h.get('max_retries_down', 3),
        http_method=h.get('http_method'), url_path=h.get('url_path'), expected_codes=h.get('expected_codes'),
        http_version=h.get('http_version'), domain_name=h.get('domain_name'),
        enabled=h.get('admin_state_up', True), provisioning_status='ACTIVE')


def to_persistence(s):
    if not s:
        return None
    return dm.SessionPersistence(
        type=s['type'], cookie_name=s.get('cookie_name'), persistence_timeout=s.get('persistence_timeout'),
        persistence_granularity=s.get('persistence_granularity'))


def to_member(x):
    return dm.Member(
        id=x['member_id'], ip_address=x['address'], protocol_port=x['protocol_port'], weight=x.get('weight', 1),
        backup=x.get('backup', False), enabled=x.get('admin_state_up', True), subnet_id=x.get('subnet_id'),
        monitor_address=x.get('monitor_address'), monitor_port=x.get('monitor_port'),
        provisioning_status='ACTIVE', operating_status='ONLINE')


class Converter:
    """One document -> (amphora, listeners, tls file map) for JinjaTemplater.build_config."""

    def __init__(self, doc):
        self.doc = doc
        self.lbd = doc['loadbalancer']
        self.certs = {}
        amp = doc.get('amphora') or {}
        self.lb = dm.LoadBalancer(
            id=self.lbd['loadbalancer_id'], name=self.lbd.get('name'), project_id=self.lbd.get('project_id') or 'p',
            enabled=self.lbd.get('admin_state_up', True), topology=amp.get('topology', 'SINGLE'),
            vip=dm.Vip(ip_address=self.lbd['vip_address']), amphorae=[], provisioning_status='ACTIVE',
            additional_vips=[dm.AdditionalVip(ip_address=v['ip_address'], subnet_id=v.get('subnet_id'))
                             for v in self.lbd.get('additional_vips') or []])
        self.amphora = dm.Amphora(id=amp.get('id') or 'amphora', status='ALLOCATED', role='STANDALONE')

    def cert_id(self, kind, owner, present):
        if not present:
            return None
        return '%s-%s' % (kind, owner)

    def pool(self, p):
        pool = dm.Pool(
            id=p['pool_id'], protocol=p['protocol'], lb_algorithm=p['lb_algorithm'],
            enabled=p.get('admin_state_up', True), members=[to_member(x) for x in p.get('members') or []],
            health_monitor=to_monitor(p.get('healthmonitor')), session_persistence=to_persistence(p.get('session_persistence')),
            tls_enabled=p.get('tls_enabled', False), tls_ciphers=p.get('tls_ciphers'), tls_versions=p.get('tls_versions'),
            alpn_protocols=p.get('alpn_protocols'), provisioning_status='ACTIVE', operating_status='ONLINE',
            tls_certificate_id=self.cert_id('client', p['pool_id'], p.get('tls_container_data')),
            ca_tls_certificate_id=self.cert_id('ca', p['pool_id'], p.get('ca_tls_container_data')),
            crl_container_id=self.cert_id('crl', p['pool_id'], p.get('crl_container_data')))
        files = {}
        for key, ref in (('client_cert', pool.tls_certificate_id), ('ca_cert', pool.ca_tls_certificate_id),
                         ('crl', pool.crl_container_id)):
            if ref:
                files[key] = '%s/%s/%s.pem' % (CERTS, self.lb.id, ref)
        if files:
            self.certs[pool.id] = files
        return pool

    def policy(self, y, pools):
        rules = [dm.L7Rule(id=r['l7rule_id'], type=r['type'], compare_type=r['compare_type'], key=r.get('key'),
                           value=r.get('value'), invert=r.get('invert', False), enabled=r.get('admin_state_up', True),
                           provisioning_status='ACTIVE') for r in y.get('rules') or []]
        return dm.L7Policy(id=y['l7policy_id'], action=y['action'], position=y.get('position'),
                           redirect_pool=pools.get(y.get('redirect_pool_id')), redirect_url=y.get('redirect_url'),
                           redirect_prefix=y.get('redirect_prefix'), redirect_http_code=y.get('redirect_http_code'),
                           enabled=y.get('admin_state_up', True), l7rules=rules, provisioning_status='ACTIVE')

    def listener(self, entry, pools):
        lid = entry['listener_id']
        policies = sorted((self.policy(y, pools) for y in entry.get('l7policies') or []), key=lambda z: z.position or 0)
        default = pools.get(entry.get('default_pool_id'))
        used = [default] if default else []
        for y in policies:
            if y.redirect_pool and y.redirect_pool not in used:
                used.append(y.redirect_pool)
        lst = dm.Listener(
            id=lid, protocol=entry['protocol'], protocol_port=entry['protocol_port'], load_balancer=self.lb,
            enabled=entry.get('admin_state_up', True), connection_limit=entry.get('connection_limit'),
            default_pool=default, pools=used, l7policies=policies, insert_headers=entry.get('insert_headers') or {},
            timeout_client_data=entry.get('timeout_client_data'), timeout_member_connect=entry.get('timeout_member_connect'),
            timeout_member_data=entry.get('timeout_member_data'), timeout_tcp_inspect=entry.get('timeout_tcp_inspect'),
            tls_certificate_id=self.cert_id('server', lid, entry.get('default_tls_container_data')),
            client_ca_tls_certificate_id=self.cert_id('client-ca', lid, entry.get('client_ca_tls_container_data')),
            client_crl_container_id=self.cert_id('client-crl', lid, entry.get('client_crl_container_data')),
            client_authentication=entry.get('client_authentication') or 'NONE',
            tls_ciphers=entry.get('tls_ciphers'), tls_versions=entry.get('tls_versions'),
            alpn_protocols=entry.get('alpn_protocols'), peer_port=1025, provisioning_status='ACTIVE',
            allowed_cidrs=[dm.ListenerCidr(listener_id=lid, cidr=c) for c in entry.get('allowed_cidrs') or []])
        for ref in (lst.client_ca_tls_certificate_id, lst.client_crl_container_id):
            if ref:
                self.certs[ref] = ref + '.pem'
        return lst

    def convert(self):
        pools = {}
        for p in self.lbd.get('pools') or []:
            pools[p['pool_id']] = self.pool(p)
        listeners = [self.listener(entry, pools) for entry in self.lbd.get('listeners') or []]
        self.lb.listeners = listeners
        self.lb.pools = list(pools.values())
        return self.amphora, listeners, self.certs


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('doc')
    ap.add_argument('--repeat', type=int, default=1)
    ap.add_argument('--out')
    args = ap.parse_args()
    cfg.CONF([], project='octavia', default_config_files=[])
    with open(args.doc) as f:
        doc = json.load(f)
    templater = jinja_cfg.JinjaTemplater(base_amp_path='/var/lib/octavia', base_crt_dir=CERTS, connection_logging=True)
    times, text = [], ''
    for _ in range(max(1, args.repeat)):
        t0 = time.perf_counter()
        amphora, listeners, certs = Converter(doc).convert()
        text = templater.build_config(amphora, listeners, certs, ('2', '6'))
        times.append((time.perf_counter() - t0) * 1000)
    if args.out:
        with open(args.out, 'w') as f:
            f.write(text)
    else:
        sys.stdout.write(text)
    print('octavia render median_ms=%.3f runs=%d' % (statistics.median(times), len(times)), file=sys.stderr)


if __name__ == '__main__':
    main()
