#!/usr/bin/python3
"""Writes contract/examples/octavia-2025-full.json: a document in the shape a
2025.x Octavia hands its provider driver, built with octavia-lib's provider
data models (`to_dict(recurse=True)`), every key present as Octavia's API
layer fills it from its database (null/false/[] where unused).

    /usr/bin/python3 contract/tools/make-octavia-2025-example.py > contract/examples/octavia-2025-full.json

Needs Debian's python3-octavia-lib. Keys newer than the installed octavia-lib
(listener hsts_* since 2023.2, loadbalancer vip_sg_ids and member vnic_type
since 2025.1) are set on the data model objects as the newer octavia-lib's
constructors set them, so to_dict() emits them the same way. The TLS material
is the (test) certificate of terminated-https-l7.json.
"""
import json
import os
import sys
import uuid

from octavia_lib.api.drivers import data_models as dm

HERE = os.path.dirname(os.path.abspath(__file__))
NS = uuid.UUID('6f1c2a4e-7d1e-4c43-9a57-2f0a5d2c2025')
PROJECT = 'e3cd678b11784734bc366148aa37580e'


def uid(name):
    return str(uuid.uuid5(NS, name))


def newer(obj, **attrs):
    """Sets attributes the installed octavia-lib may not know yet (to_dict walks __dict__)."""
    for k, v in attrs.items():
        setattr(obj, k, v)
    return obj


def tls_material():
    with open(os.path.join(HERE, '..', 'examples', 'terminated-https-l7.json')) as f:
        src = json.load(f)
    return src['loadbalancer']['listeners'][0]['default_tls_container_data']


def member(pool, n, address, port):
    m = dm.Member(address=address, admin_state_up=True, member_id=uid('%s-member-%d' % (pool, n)),
                  monitor_address=None, monitor_port=None, name='web-%d' % n, pool_id=uid(pool),
                  protocol_port=port, subnet_id=uid('member-subnet'), weight=1, backup=False, project_id=PROJECT)
    return newer(m, vnic_type='normal')


def monitor(pool, kind, **http):
    fields = dict(http_method=None, url_path=None, expected_codes=None, http_version=None, domain_name=None)
    fields.update(http)
    return dm.HealthMonitor(admin_state_up=True, delay=5, healthmonitor_id=uid(pool + '-hm'), max_retries=3,
                            max_retries_down=3, name=pool + '-hm', pool_id=uid(pool), timeout=3, type=kind,
                            project_id=PROJECT, **fields)


def pool(name, protocol, algorithm, members, hm, persistence=None):
    return dm.Pool(admin_state_up=True, description='', healthmonitor=hm, lb_algorithm=algorithm,
                   loadbalancer_id=uid('lb'), members=members, name=name, pool_id=uid(name), listener_id=None,
                   protocol=protocol, session_persistence=persistence, tls_container_ref=None,
                   tls_container_data=None, ca_tls_container_ref=None, ca_tls_container_data=None,
                   crl_container_ref=None, crl_container_data=None, tls_enabled=False, project_id=PROJECT,
                   tls_versions=None, tls_ciphers=None, alpn_protocols=None)


def listener(name, protocol, port, default_pool, hsts_max_age=None, subdomains=False, preload=False, **extra):
    fields = dict(default_tls_container_ref=None, default_tls_container_data=None, sni_container_refs=[],
                  sni_container_data=[], client_ca_tls_container_ref=None, client_ca_tls_container_data=None,
                  client_authentication='NONE', client_crl_container_ref=None, client_crl_container_data=None,
                  tls_versions=None, tls_ciphers=None, alpn_protocols=None, insert_headers={}, l7policies=[],
                  allowed_cidrs=None)
    fields.update(extra)
    lst = dm.Listener(admin_state_up=True, connection_limit=-1, default_pool=default_pool,
                      default_pool_id=default_pool.pool_id if default_pool else None, description='',
                      listener_id=uid(name), loadbalancer_id=uid('lb'), name=name, protocol=protocol,
                      protocol_port=port, timeout_client_data=50000, timeout_member_connect=5000,
                      timeout_member_data=50000, timeout_tcp_inspect=0, project_id=PROJECT, **fields)
    return newer(lst, hsts_max_age=hsts_max_age, hsts_include_subdomains=subdomains, hsts_preload=preload)


def build():
    web = pool('web', 'HTTP', 'ROUND_ROBIN',
               [member('web', 1, '192.0.2.11', 8080), member('web', 2, '192.0.2.12', 8080)],
               monitor('web', 'HTTP', http_method='GET', url_path='/healthz', expected_codes='200',
                       http_version=1.1, domain_name='www.example.com'),
               {'type': 'HTTP_COOKIE', 'cookie_name': None, 'persistence_timeout': None,
                'persistence_granularity': None})
    db = pool('db', 'TCP', 'LEAST_CONNECTIONS', [member('db', 1, '192.0.2.21', 5432)], monitor('db', 'TCP'))
    tls = tls_material()
    https = listener('https', 'TERMINATED_HTTPS', 443, web, hsts_max_age=31536000, subdomains=True, preload=False,
                     default_tls_container_ref='https://barbican.example.com/v1/containers/' + uid('tls'),
                     default_tls_container_data=tls, tls_versions=['TLSv1.2', 'TLSv1.3'],
                     tls_ciphers='ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384',
                     alpn_protocols=['h2', 'http/1.1'],
                     insert_headers={'X-Forwarded-For': 'true', 'X-Forwarded-Proto': 'true'})
    to_https = dm.L7Policy(action='REDIRECT_PREFIX', admin_state_up=True, description='', l7policy_id=uid('to-https'),
                           listener_id=uid('http'), name='to-https', position=1, redirect_pool_id=None,
                           redirect_url=None, redirect_prefix='https://www.example.com', redirect_http_code=301,
                           project_id=PROJECT,
                           rules=[dm.L7Rule(admin_state_up=True, compare_type='STARTS_WITH', invert=False, key=None,
                                            l7policy_id=uid('to-https'), l7rule_id=uid('to-https-rule'),
                                            type='PATH', value='/account', project_id=PROJECT)])
    http = listener('http', 'HTTP', 80, web, l7policies=[to_https], insert_headers={'X-Forwarded-For': 'true'})
    tcp = listener('postgres', 'TCP', 5432, db, allowed_cidrs=['192.0.2.0/24', '198.51.100.0/24'])
    lb = dm.LoadBalancer(admin_state_up=True, description='', flavor={}, listeners=[https, http, tcp],
                         loadbalancer_id=uid('lb'), name='web-2025', pools=[web, db], project_id=PROJECT,
                         vip_address='203.0.113.25', vip_network_id=uid('vip-net'), vip_port_id=uid('vip-port'),
                         vip_subnet_id=uid('vip-subnet'), vip_qos_policy_id=None, additional_vips=[],
                         availability_zone=None)
    newer(lb, vip_sg_ids=[uid('sg-web')])
    return {'schema_version': '1.0', 'generation': 1, 'loadbalancer': lb.to_dict(recurse=True)}


if __name__ == '__main__':
    json.dump(build(), sys.stdout, indent=2, sort_keys=True)
    sys.stdout.write('\n')
