# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Bad input: the one catalogue (docs/safety.md, "Bad input").

Every row must raise PlanError: from the controller's check of the variables
(plugin_utils/_tune/validate.py, before any remote call) or, for what needs the
host's facts, from the planner on the host, before anything changes there. The
message must name the variable and say what is allowed: each row checks the
variable's name and a distinctive part of the allowed range or set.

Facts come from the real readers over fixture trees (tests/unit/fixtures/tree.py):
kernel 6.1, net.ipv4.ip_unprivileged_port_start 1024, fs.nr_open 1048576.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re

import pytest

from ansible_collections.netlimits.tcp.plugins.module_utils._common import paths as _paths
from ansible_collections.netlimits.tcp.plugins.module_utils._plan import plan as _plan
from ansible_collections.netlimits.tcp.plugins.module_utils._facts.gather import gather
from ansible_collections.netlimits.tcp.plugins.module_utils._plan.readings import read_host
from ansible_collections.netlimits.tcp.tests.unit.fixtures.role import PROFILES
from ansible_collections.netlimits.tcp.tests.unit.fixtures.checked import checked_plan
from ansible_collections.netlimits.tcp.tests.unit.fixtures.tree import make_tree


def facts_for(tmp_path, profile='6.1', **kwargs):
    return gather(make_tree(tmp_path, profile, **kwargs))


def snapshot(root):
    """Bytes and mode of every file under root."""
    out = {}
    for base, dummy, names in os.walk(root):
        for name in names:
            path = os.path.join(base, name)
            if os.path.isfile(path):
                with open(path, 'rb') as handle:
                    out[path] = (handle.read(), os.stat(path).st_mode)
    return out


def raw(params):
    return dict(('tcp_tune_' + k, v) for k, v in params.items())


def plan(facts, host=None, **params):
    return checked_plan(raw(params), facts, host, PROFILES)


PORT = 'tcp_tune_local_port_range'
NOFILE = 'tcp_tune_nofile'
SOFT = 'tcp_tune_nofile_soft'
IFACES = 'tcp_tune_interfaces'
SYSCTL = 'tcp_tune_sysctl'
SERVICE = 'tcp_tune_service_nofile'
DOMAINS = 'tcp_tune_limits_domains'
INT = 'an integer from 1 to 2147483647'
FIN = 'from 1 to 2147483, got'   # INT_MAX // 1000: proc_dointvec_jiffies refuses more than INT_MAX / HZ
CONTROL = 'no newlines or other control characters'
IFNAME = '1..15 characters'
SYSCTL_NAME = 'dot-separated parts'
UNIT = 'valid systemd service name'
BOOL = 'true or false'
NR_OPEN = 'fs.nr_open'

# (id, variables, variable the message names, what is allowed (a distinctive part of it), fixture options)
BAD = [
    # tcp_tune_local_port_range
    ('port-range-reversed', {'local_port_range': [60000, 20000]}, PORT, 'must not be above high', {}),
    ('port-range-below-unprivileged', {'local_port_range': [500, 60000]}, PORT,
     'net.ipv4.ip_unprivileged_port_start (1024)', {}),
    ('port-range-below-raised-unprivileged', {'local_port_range': [2000, 60000]}, PORT,
     'net.ipv4.ip_unprivileged_port_start (4096)', {'sysctl': {'net.ipv4.ip_unprivileged_port_start': '4096'}}),
    ('port-range-above-65535', {'local_port_range': [20000, 70000]}, PORT, '1..65535', {}),
    ('port-range-zero', {'local_port_range': [0, 60000]}, PORT, '1..65535', {}),
    ('port-range-one-integer', {'local_port_range': [20000]}, PORT, 'two integers [low, high]', {}),
    ('port-range-three-integers', {'local_port_range': [20000, 30000, 40000]}, PORT, 'two integers', {}),
    ('port-range-not-integers', {'local_port_range': ['low', 'high']}, PORT, 'two integers', {}),
    ('port-range-fractions', {'local_port_range': [20000.5, 60000]}, PORT, 'two integers', {}),
    ('port-range-text', {'local_port_range': '15000 64999'}, PORT, 'two integers', {}),
    # tcp_tune_reserved_ports
    ('reserved-ports-not-ports', {'reserved_ports': ['80-x']}, 'tcp_tune_reserved_ports', '1..65535', {}),
    ('reserved-ports-above-65535', {'reserved_ports': [70000]}, 'tcp_tune_reserved_ports', '1..65535', {}),
    # integers: negative, zero where 0 means nothing, not an integer, too large
    ('tw-reuse-3', {'tw_reuse': 3}, 'tcp_tune_tw_reuse', '2 (loopback only)', {}),
    ('tw-reuse-negative', {'tw_reuse': -1}, 'tcp_tune_tw_reuse', '0 (off)', {}),
    ('tw-reuse-not-integer', {'tw_reuse': 'on'}, 'tcp_tune_tw_reuse', '1 (on)', {}),
    ('fin-timeout-zero', {'fin_timeout': 0}, 'tcp_tune_fin_timeout', FIN, {}),
    ('fin-timeout-negative', {'fin_timeout': -30}, 'tcp_tune_fin_timeout', FIN, {}),
    ('fin-timeout-not-integer', {'fin_timeout': '30s'}, 'tcp_tune_fin_timeout', FIN, {}),
    ('fin-timeout-above-int-max-over-hz', {'fin_timeout': 2147484}, 'tcp_tune_fin_timeout', FIN, {}),
    ('somaxconn-negative', {'somaxconn': -1}, 'tcp_tune_somaxconn', INT, {}),
    ('somaxconn-not-integer', {'somaxconn': 'lots'}, 'tcp_tune_somaxconn', INT, {}),
    ('somaxconn-boolean', {'somaxconn': True}, 'tcp_tune_somaxconn', INT, {}),
    ('max-syn-backlog-negative', {'max_syn_backlog': -5}, 'tcp_tune_max_syn_backlog', INT, {}),
    ('max-syn-backlog-fraction', {'max_syn_backlog': 1.5}, 'tcp_tune_max_syn_backlog', INT, {}),
    ('netdev-max-backlog-negative', {'netdev_max_backlog': -1}, 'tcp_tune_netdev_max_backlog', INT, {}),
    ('netdev-max-backlog-not-integer', {'netdev_max_backlog': '16k'}, 'tcp_tune_netdev_max_backlog', INT, {}),
    ('netdev-max-backlog-huge', {'netdev_max_backlog': 2 ** 31}, 'tcp_tune_netdev_max_backlog', INT, {}),
    ('max-orphans-negative', {'max_orphans': -1}, 'tcp_tune_max_orphans', INT, {}),
    ('orphan-retries-above-255', {'orphan_retries': 256}, 'tcp_tune_orphan_retries', 'from 0 to 255', {}),
    ('orphan-retries-negative', {'orphan_retries': -1}, 'tcp_tune_orphan_retries', 'from 0 to 255', {}),
    ('conntrack-max-zero', {'conntrack_max': 0}, 'tcp_tune_conntrack_max', INT, {}),
    ('conntrack-max-negative', {'conntrack_max': -1}, 'tcp_tune_conntrack_max', INT, {}),
    ('conntrack-max-not-integer', {'conntrack_max': '1M'}, 'tcp_tune_conntrack_max', INT, {}),
    ('file-max-negative', {'file_max': -1}, 'tcp_tune_file_max', 'from 1 to 9223372036854775807', {}),
    ('file-max-huge', {'file_max': 10 ** 20}, 'tcp_tune_file_max', 'from 1 to 9223372036854775807', {}),
    ('file-max-not-integer', {'file_max': '2M'}, 'tcp_tune_file_max', 'from 1 to 9223372036854775807', {}),
    ('nr-open-below-1024', {'nr_open': 1000}, 'tcp_tune_nr_open', 'from 1024 to', {}),
    ('nr-open-negative', {'nr_open': -1}, 'tcp_tune_nr_open', 'from 1024 to', {}),
    ('nr-open-not-integer', {'nr_open': 'max'}, 'tcp_tune_nr_open', 'from 1024 to', {}),
    ('target-connections-zero', {'target_connections': 0}, 'tcp_tune_target_connections', 'integer >= 1', {}),
    ('target-connections-not-integer', {'target_connections': 'many'}, 'tcp_tune_target_connections',
     'integer >= 1', {}),
    ('target-outbound-rate-negative', {'target_outbound_rate': -5}, 'tcp_tune_target_outbound_rate',
     'finite number > 0', {}),
    ('target-outbound-rate-nan', {'target_outbound_rate': 'nan'}, 'tcp_tune_target_outbound_rate',
     'finite number > 0', {}),
    ('target-outbound-rate-infinite', {'target_outbound_rate': 'inf'}, 'tcp_tune_target_outbound_rate',
     'finite number > 0', {}),
    ('target-outbound-rate-not-number', {'target_outbound_rate': 'fast'}, 'tcp_tune_target_outbound_rate',
     'finite number > 0', {}),
    # nofile
    ('nofile-unlimited', {'nofile': 'unlimited'}, NOFILE, 'from 1 to fs.nr_open', {}),
    ('nofile-infinity', {'nofile': 'infinity'}, NOFILE, 'from 1 to fs.nr_open', {}),
    ('nofile-minus-one', {'nofile': '-1'}, NOFILE, 'from 1 to fs.nr_open', {}),
    ('nofile-negative', {'nofile': -5}, NOFILE, 'from 1 to fs.nr_open', {}),
    ('nofile-not-integer', {'nofile': 'many'}, NOFILE, 'from 1 to fs.nr_open', {}),
    ('nofile-above-nr-open', {'nofile': 2000000}, NOFILE, 'above fs.nr_open (1048576)', {}),
    ('nofile-above-read-only-nr-open', {'profile': 'none', 'nofile': 2097152, 'nr_open': 2097152}, NOFILE,
     'above fs.nr_open (1048576)', {'proc_sys_readonly': True}),
    ('nofile-soft-unlimited', {'nofile_soft': 'unlimited'}, SOFT, 'from 1 to fs.nr_open', {}),
    ('nofile-soft-above-nr-open', {'nofile': 2097152, 'nofile_soft': 2097152, 'nr_open': 1048576}, SOFT,
     'above fs.nr_open', {}),
    ('nofile-soft-above-hard', {'nofile': 1000, 'nofile_soft': 2000}, SOFT, 'must not be above tcp_tune_nofile', {}),
    ('nofile-soft-above-profile-hard', {'nofile_soft': 600000}, SOFT, 'must not be above the hard limit (524288', {}),
    ('nofile-soft-without-hard', {'profile': 'none', 'nofile_soft': 1000}, SOFT, 'needs a hard limit', {}),
    ('systemd-default-nofile-negative', {'systemd_default_nofile': -1}, 'tcp_tune_systemd_default_nofile',
     'from 1 to fs.nr_open', {}),
    ('systemd-default-nofile-infinity', {'systemd_default_nofile': 'infinity'}, 'tcp_tune_systemd_default_nofile',
     'from 1 to fs.nr_open', {}),
    ('systemd-default-nofile-above-nr-open', {'systemd_default_nofile': 2000000}, 'tcp_tune_systemd_default_nofile',
     'above fs.nr_open', {}),
    # tcp_tune_limits_domains
    ('limits-domain-space', {'limits_domains': ['* root']}, DOMAINS, 'no whitespace', {}),
    ('limits-domain-newline', {'limits_domains': ['root\n* hard nofile 1']}, DOMAINS, 'no whitespace', {}),
    ('limits-domain-comment', {'limits_domains': ['#root']}, DOMAINS, 'no #', {}),
    ('limits-domain-empty-name', {'limits_domains': ['']}, DOMAINS, 'not empty', {}),
    ('limits-domain-nul', {'limits_domains': ['root\x00']}, DOMAINS, 'no control characters', {}),
    ('limits-domain-escape', {'limits_domains': ['\x1b[2Jroot']}, DOMAINS, 'no control characters', {}),
    ('limits-domains-empty', {'limits_domains': []}, DOMAINS, 'non-empty list', {}),
    ('limits-domains-not-list', {'limits_domains': 'root'}, DOMAINS, 'non-empty list', {}),
    # tcp_tune_interfaces and txqueuelen
    ('interface-too-long', {'interfaces': ['a' * 16]}, IFACES, IFNAME, {}),
    ('interface-shell-metacharacters', {'interfaces': ['eth0;reboot']}, IFACES, IFNAME, {}),
    ('interface-command-substitution', {'interfaces': ['eth0$(id)']}, IFACES, IFNAME, {}),
    ('interface-slash', {'interfaces': ['eth/0']}, IFACES, IFNAME, {}),
    ('interface-space', {'interfaces': ['eth 0']}, IFACES, IFNAME, {}),
    ('interface-dotdot', {'interfaces': ['..']}, IFACES, IFNAME, {}),
    ('interface-trailing-newline', {'interfaces': ['eth0\n']}, IFACES, IFNAME, {}),
    ('interfaces-not-list', {'interfaces': 'eth0'}, IFACES, '"physical" or a list', {}),
    ('txqueuelen-negative', {'txqueuelen': -1}, 'tcp_tune_txqueuelen', 'from 0 to 100000', {}),
    ('txqueuelen-huge', {'txqueuelen': 10 ** 7}, 'tcp_tune_txqueuelen', 'from 0 to 100000', {}),
    ('txqueuelen-not-integer', {'txqueuelen': 'long'}, 'tcp_tune_txqueuelen', 'from 0 to 100000', {}),
    ('txqueuelen-persist-unknown', {'txqueuelen_persist': 'cron'}, 'tcp_tune_txqueuelen_persist',
     'rc_local, udev, systemd_link, none', {}),
    # profile and state
    ('profile-unknown', {'profile': 'fast'}, 'tcp_tune_profile', 'balanced, client, none, server', {}),
    ('state-unknown', {'state': 'gone'}, 'tcp_tune_state', 'present, absent', {}),
    # tcp_tune_sysctl
    ('sysctl-not-dict', {'sysctl': ['net.core.somaxconn=1024']}, SYSCTL, 'dict of sysctl key to value', {}),
    ('sysctl-key-slash', {'sysctl': {'net/ipv4/x': 1}}, SYSCTL, SYSCTL_NAME, {}),
    ('sysctl-key-dotdot', {'sysctl': {'net.ipv4..x': 1}}, SYSCTL, SYSCTL_NAME, {}),
    ('sysctl-key-parent', {'sysctl': {'..kernel.x': 1}}, SYSCTL, SYSCTL_NAME, {}),
    ('sysctl-key-equals', {'sysctl': {'net.ipv4.x=1': 1}}, SYSCTL, SYSCTL_NAME, {}),
    ('sysctl-key-space', {'sysctl': {'net.ipv4.x y': 1}}, SYSCTL, SYSCTL_NAME, {}),
    ('sysctl-key-newline', {'sysctl': {'net.ipv4.x\n': 1}}, SYSCTL, SYSCTL_NAME, {}),
    ('sysctl-key-option', {'sysctl': {'--system': 1}}, SYSCTL, 'not starting with "-"', {}),
    ('sysctl-key-glob', {'sysctl': {'net.ipv4.conf.*.rp_filter': 1}}, SYSCTL, SYSCTL_NAME, {}),
    ('sysctl-value-newline', {'sysctl': {'net.ipv4.x': 'a\nb'}}, SYSCTL, 'no newlines', {}),
    ('sysctl-value-nul', {'sysctl': {'net.ipv4.x': '1\x00net.core.somaxconn=1'}}, SYSCTL, CONTROL, {}),
    ('sysctl-value-vertical-tab', {'sysctl': {'net.ipv4.x': '1\x0bnet.core.somaxconn=1'}}, SYSCTL, CONTROL, {}),
    ('sysctl-value-form-feed', {'sysctl': {'net.ipv4.x': '1\x0cnet.core.somaxconn=1'}}, SYSCTL, CONTROL, {}),
    ('sysctl-value-file-separator', {'sysctl': {'net.ipv4.x': '1\x1cnet.core.somaxconn=1'}}, SYSCTL, CONTROL, {}),
    ('sysctl-value-group-separator', {'sysctl': {'net.ipv4.x': '1\x1dnet.core.somaxconn=1'}}, SYSCTL, CONTROL, {}),
    ('sysctl-value-record-separator', {'sysctl': {'net.ipv4.x': '1\x1enet.core.somaxconn=1'}}, SYSCTL, CONTROL, {}),
    ('sysctl-value-next-line', {'sysctl': {'net.ipv4.x': u'1\x85net.core.somaxconn=1'}}, SYSCTL, CONTROL, {}),
    ('sysctl-value-line-separator', {'sysctl': {'net.ipv4.x': u'1\u2028net.core.somaxconn=1'}}, SYSCTL, CONTROL, {}),
    ('sysctl-value-paragraph-separator', {'sysctl': {'net.ipv4.x': u'1\u2029net.core.somaxconn=1'}}, SYSCTL,
     CONTROL, {}),
    ('sysctl-value-escape', {'sysctl': {'net.ipv4.x': '1\x1b[2J'}}, SYSCTL, CONTROL, {}),
    ('sysctl-value-in-list', {'sysctl': {'net.ipv4.x': ['4096', '1\x0b2']}}, SYSCTL, CONTROL, {}),
    ('sysctl-value-null', {'sysctl': {'net.ipv4.x': None}}, SYSCTL, 'not null', {}),
    ('sysctl-value-empty', {'sysctl': {'net.ipv4.x': ' '}}, SYSCTL, 'not null or empty', {}),
    ('sysctl-value-dict', {'sysctl': {'net.ipv4.x': {'a': 1}}}, SYSCTL, 'a number, text or list of numbers', {}),
    ('sysctl-key-has-variable', {'sysctl': {'net.ipv4.ip_local_port_range': '60000 20000'}}, SYSCTL,
     'set that variable instead', {}),
    ('sysctl-key-set-twice', {'sysctl': {'net.core.somaxconn': 1024}, 'somaxconn': 2048}, SYSCTL,
     'tcp_tune_somaxconn', {}),
    ('sysctl-tw-buckets-negative', {'sysctl': {'net.ipv4.tcp_max_tw_buckets': -1}},
     'tcp_tune_sysctl[net.ipv4.tcp_max_tw_buckets]', INT, {}),
    ('sysctl-tw-reuse-delay-above-60000', {'sysctl': {'net.ipv4.tcp_tw_reuse_delay': 60001}},
     'tcp_tune_sysctl[net.ipv4.tcp_tw_reuse_delay]', 'an integer from 1 to 60000', {'profile': '6.14'}),
    ('sysctl-conntrack-buckets-zero', {'sysctl': {'net.netfilter.nf_conntrack_buckets': 0}},
     'tcp_tune_sysctl[net.netfilter.nf_conntrack_buckets]', INT, {}),
    ('sysctl-int-list-not-integers', {'sysctl': {'net.ipv4.tcp_rmem': '4096 lots 6291456'}},
     'tcp_tune_sysctl[net.ipv4.tcp_rmem]', 'list of numbers, each ' + INT, {}),
    # tcp_tune_service_nofile
    ('service-not-dict', {'service_nofile': ['nginx']}, SERVICE, 'dict of service name to nofile', {}),
    ('service-name-space', {'service_nofile': {'bad name': 1024}}, SERVICE, UNIT, {}),
    ('service-name-shell', {'service_nofile': {'nginx;rm': 1024}}, SERVICE, UNIT, {}),
    ('service-name-slash', {'service_nofile': {'../../etc/x': 1024}}, SERVICE, UNIT, {}),
    ('service-name-trailing-newline', {'service_nofile': {'nginx\n': 1024}}, SERVICE, UNIT, {}),
    ('service-name-nul', {'service_nofile': {'nginx\x00': 1024}}, SERVICE, UNIT, {}),
    ('service-name-option', {'service_nofile': {'-nginx': 1024}}, SERVICE, 'not starting with "-"', {}),
    ('service-name-two-at', {'service_nofile': {'a@b@c': 1024}}, SERVICE, 'at most one "@"', {}),
    ('service-name-too-long', {'service_nofile': {'a' * 248: 1024}}, SERVICE, '1 to 247 characters', {}),
    # tcp_tune_listening_services_nofile and its exclude list
    ('listening-nofile-zero', {'listening_services_nofile': 0}, 'tcp_tune_listening_services_nofile',
     'an integer from 1 to fs.nr_open', {}),
    ('listening-nofile-text', {'listening_services_nofile': 'many'}, 'tcp_tune_listening_services_nofile',
     'an integer from 1 to fs.nr_open', {}),
    ('listening-exclude-not-list', {'listening_services_nofile': 65536, 'listening_services_exclude': 'nginx'},
     'tcp_tune_listening_services_exclude', 'a list of service names', {}),
    ('listening-exclude-slash', {'listening_services_nofile': 65536, 'listening_services_exclude': ['../x']},
     'tcp_tune_listening_services_exclude', 'a valid systemd service name', {}),
    ('service-nofile-not-integer', {'service_nofile': {'nginx': 'infinity'}}, SERVICE,
     'from 1 to fs.nr_open', {}),
    ('service-nofile-above-nr-open', {'service_nofile': {'nginx': 2000000}}, SERVICE, 'from 1 to fs.nr_open', {}),
    # booleans
    ('bool-not-boolean', {'raise_only': 'maybe'}, 'tcp_tune_raise_only', BOOL, {}),
    ('bool-integer-2', {'reserve_listening_ports': 2}, 'tcp_tune_reserve_listening_ports', BOOL, {}),
    ('bool-list', {'restart_services': [True]}, 'tcp_tune_restart_services', BOOL, {}),
    ('bool-tw-recycle-text', {'tw_recycle': 'sometimes'}, 'tcp_tune_tw_recycle', BOOL, {}),
    ('bool-conntrack-load-text', {'conntrack_load': 'load'}, 'tcp_tune_conntrack_load', BOOL, {}),
]
IDS = [row[0] for row in BAD]


def test_ids_are_unique():
    assert len(IDS) == len(set(IDS))


@pytest.mark.parametrize('case,params,variable,allowed,tree', BAD, ids=IDS)
def test_bad_input(tmp_path, case, params, variable, allowed, tree):
    facts = facts_for(tmp_path, **tree)
    with pytest.raises(_plan.PlanError) as err:
        plan(facts, **params)
    message = str(err.value)
    assert variable in message, message
    assert allowed in message, message


@pytest.mark.parametrize('case,params,variable,allowed,tree', BAD, ids=IDS)
def test_bad_input_reads_nothing_risky_before_validation(tmp_path, case, params, variable, allowed, tree):
    """_plan/readings.py read_host must not act on unchecked variables (a module called without the
    controller's check): on bad input it must not fail, must only read, and must look only under /etc,
    the role's state directory and /proc/sys (never a key like `--system`)."""
    root = make_tree(tmp_path, **tree)
    before = snapshot(root)
    host = read_host(root, raw(params), gather(root))
    assert snapshot(root) == before
    assert not [k for k in host['extra_sysctl'] if k.startswith('-') or '/' in k or '..' in k]
    assert all(p.startswith('/etc/') or p.startswith(_paths.STATE_DIR) or _paths.is_metrics_path(p)
               for p in host['files'])


def test_several_bad_variables_are_reported_in_one_error(tmp_path):
    facts = facts_for(tmp_path)
    with pytest.raises(_plan.PlanError) as err:
        plan(facts, local_port_range=[60000, 20000], tw_reuse=3, fin_timeout=0, nofile='unlimited',
             limits_domains=['a b'], interfaces=['eth0;reboot'], txqueuelen=-1, txqueuelen_persist='cron',
             sysctl={'net/ipv4/x': 1}, service_nofile={'bad name': 1}, conntrack_max=0, raise_only='maybe')
    message = str(err.value)
    for name in ('local_port_range', 'tw_reuse', 'fin_timeout', 'nofile', 'limits_domains', 'interfaces',
                 'txqueuelen', 'txqueuelen_persist', 'sysctl', 'service_nofile', 'conntrack_max', 'raise_only'):
        assert 'tcp_tune_' + name in message, name
    assert len(err.value.errors) == 12


def test_nofile_errors_are_reported_together(tmp_path):
    """The nofile-vs-fs.nr_open checks come after validation and also report every variable at once."""
    facts = facts_for(tmp_path)
    with pytest.raises(_plan.PlanError) as err:
        plan(facts, nofile=2000000, systemd_default_nofile=2000000, service_nofile={'nginx': 2000000})
    assert len(err.value.errors) == 3
    for name in (NOFILE, 'tcp_tune_systemd_default_nofile', SERVICE):
        assert name in str(err.value)


@pytest.mark.parametrize('params', [
    {'local_port_range': ['15000', '64999']},
    {'somaxconn': '4096', 'fin_timeout': 15.0},
    {'nofile': '1048576', 'nofile_soft': 65536},
    {'raise_only': 'yes', 'reserve_listening_ports': 0, 'restart_services': 'false'},
    {'sysctl': {'net.ipv4.tcp_slow_start_after_idle': 0, 'net.ipv4.tcp_rmem': [4096, 131072, 6291456]}},
    {'sysctl': {'net.ipv4.tcp_wmem': '4096\t16384\t4194304'}},
    {'service_nofile': {'nginx.service': 65536, 'getty@tty1': 4096}},
    {'interfaces': ['eth0', 'bond0.100', 'wg-vpn_1']},
], ids=['port-range-as-text', 'integers-as-text', 'nofile-as-text', 'booleans-as-text', 'sysctl-extra-keys',
        'sysctl-value-tab-separated', 'service-names', 'interface-names'])
def test_good_input_of_the_same_shapes_is_accepted(tmp_path, params):
    """The checks are not stricter than the documented forms."""
    result = plan(facts_for(tmp_path), **params)
    assert result['state'] == 'present'


def test_docs_safety_lists_every_case_once():
    """docs/safety.md's "Bad input" table has one row per case of BAD, and no other."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', '..', '..', 'docs', 'safety.md')
    with open(path) as f:
        text = f.read()
    section = text.split('\n## Bad input\n', 1)[1].split('\n## ', 1)[0]
    listed = re.findall(r'test_safety_input\.py::test_bad_input\[([^\]]+)\]', section)
    assert sorted(listed) == sorted(IDS)
