# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The planner of the role netlimits.tcp.tcp_tune (pure Python, no I/O).

Inputs: the role's variables (``tcp_tune_*``), ``ansible_facts.tcp_limits``
(docs/architecture.md) and a few host readings the role collects (listening
ports, the sysctl loader's version, the role's own state file, the text of
rc.local and 99-default.link). Output: one plain dict the role's task files
only move around: per key the wanted value and its status, the lines of
every managed file, the argv of the one live ``sysctl -w``, txqueuelen
commands, what revert restores. Every decision shown in ``tcp_tune_report``
is made here. Keys come from ``_keys`` (the one table); nothing here lists
sysctl keys.

Python 3.6 compatible (it also runs in unit tests on old cores).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import re

from ansible_collections.netlimits.tcp.plugins.module_utils import _keys
from ansible_collections.netlimits.tcp.plugins.module_utils._facts_sysctl import merge_port_ranges
from ansible_collections.netlimits.tcp.plugins.module_utils._plan_text import (
    rc_local_insert, rc_local_remove, rc_local_has_block, render_link, parse_sysctl_file,
)

try:  # the facts engineer's pure load-order helper; a local fallback keeps the planner importable
    from ansible_collections.netlimits.tcp.plugins.module_utils._facts_provenance import would_be_overridden_by
except ImportError:  # pragma: no cover
    def would_be_overridden_by(entry, path):
        later = [f['path'] for f in entry.get('files', ()) if f['path'] != path and f['path'] > path]
        return later[-1] if later else None

# ---------------------------------------------------------------- constants

PREFIX = 'tcp_tune_'
PORT_RANGE_KEY = 'net.ipv4.ip_local_port_range'
NAME = '90-netlimits-tcp'
SYSCTL_FILE = '/etc/sysctl.d/90-netlimits-tcp.conf'
LIMITS_FILE = '/etc/security/limits.d/90-netlimits-tcp.conf'
MANAGER_FILE = '/etc/systemd/system.conf.d/90-netlimits-tcp.conf'
SERVICE_FILE = '/etc/systemd/system/%s.service.d/90-netlimits-tcp.conf'
RC_LOCAL = '/etc/rc.local'
UDEV_FILE = '/etc/udev/rules.d/90-netlimits-tcp-txqueuelen.rules'
LINK_FILE = '/etc/systemd/network/90-netlimits-tcp-%s.link'
MODPROBE_FILE = '/etc/modprobe.d/90-netlimits-tcp.conf'
MODULES_LOAD_FILE = '/etc/modules-load.d/90-netlimits-tcp.conf'
STATE_DIR = '/var/lib/netlimits-tcp'
STATE_FILE = STATE_DIR + '/original.json'
BACKUP_DIR = STATE_DIR + '/backup'
HEADER = '# Managed by the Ansible role netlimits.tcp.tcp_tune; changes here are overwritten.'

TIME_WAIT_SECONDS = 60          # TCP_TIMEWAIT_LEN, include/net/tcp.h
HEADROOM = 1.2                  # sizing margin
WIDEST_RANGE = (10000, 65535)   # widest port range sizing goes to (ends differ in parity)
TXQUEUELEN_MAX = 100000         # larger queues only add latency (bufferbloat)
SYSTEMD_BUILTIN_NOFILE = {'soft': 1024, 'hard': 524288}
SYSTEMD_TXQ_SINCE = 248         # .link TransmitQueueLength=
SYSTEMD_DASH_SINCE = 243        # '-' prefix in sysctl.d
PROCPS_DASH_SINCE = (3, 3, 16)
RC_LOCAL_REMOVED_IN = 260
CONNTRACK_PER_BUCKET = 8        # nf_conntrack_max = 8 x hashsize when hashsize= is given at module load

# statuses (present)
APPLIED = 'applied'
UNCHANGED = 'unchanged'
SKIPPED_MISSING = 'skipped_missing'
SKIPPED_READ_ONLY = 'skipped_read_only'
SKIPPED_KERNEL = 'skipped_kernel'
SKIPPED_LOWER = 'skipped_lower'
OVERRIDDEN = 'overridden'
# statuses (absent)
RESTORED = 'restored'
KEPT_HOST_SCOPE = 'kept_host_scope'
UNKNOWN_ORIGINAL = 'unknown_original'

STATES = ('present', 'absent')
PERSIST_METHODS = ('rc_local', 'udev', 'systemd_link', 'none')

# Profiles as data. None = leave the key alone. Reasons: docs/role.md and defaults/main.yml.
PROFILES = {
    'balanced': {
        'local_port_range': [15000, 64999],   # 50,000 ports (default 28,232); ends differ in parity
        'tw_reuse': 1,                        # reuse TIME_WAIT for outbound after ~1 s (needs timestamps)
        'fin_timeout': 30,                    # orphans leave FIN_WAIT_2 sooner (TIME_WAIT stays 60 s)
        'somaxconn': 4096,                    # the 5.4+ default, raised on older kernels (128)
        'max_syn_backlog': 8192,
        'file_max': 2097152,
        'nr_open': 1048576,
        'nofile': 524288,                     # systemd's default hard limit; below fs.nr_open
    },
    'client': {
        'local_port_range': [10000, 65535],   # 55,536 ports: the widest sizing goes to
        'tw_reuse': 1,
        'fin_timeout': 30,
        'somaxconn': 4096,
        'max_syn_backlog': 4096,
        'file_max': 2097152,
        'nr_open': 1048576,
        'nofile': 1048576,
    },
    'server': {
        'local_port_range': [15000, 64999],   # servers also connect out (upstreams, databases)
        'tw_reuse': 1,                        # only affects connect(); harmless for accepted sockets
        'fin_timeout': 15,                    # many peers closing: free FIN_WAIT_2 orphans fast
        'somaxconn': 65535,                   # accept queue for bursts of inbound connections
        'max_syn_backlog': 65535,
        'netdev_max_backlog': 16384,          # per-CPU input queue (host only; missing in containers)
        'file_max': 4194304,
        'nr_open': 1048576,
        'nofile': 1048576,
        'systemd_default_nofile': 1048576,    # services get the limit too, not only PAM logins
    },
    'none': {},
}

# Every variable of the role, short name -> kind (for coercion and the unknown-name warning).
PARAMS = {
    'state': 'str', 'profile': 'str', 'target_connections': 'int', 'target_outbound_rate': 'num',
    'local_port_range': 'list', 'reserved_ports': 'raw', 'reserve_listening_ports': 'bool',
    'tw_reuse': 'int', 'tw_recycle': 'bool', 'fin_timeout': 'int', 'somaxconn': 'int',
    'max_syn_backlog': 'int', 'netdev_max_backlog': 'int', 'max_orphans': 'int', 'orphan_retries': 'int',
    'conntrack_max': 'int', 'conntrack_load': 'bool', 'file_max': 'int', 'nr_open': 'int', 'sysctl': 'dict',
    'nofile': 'raw', 'nofile_soft': 'raw', 'limits_domains': 'list', 'systemd_default_nofile': 'int',
    'service_nofile': 'dict', 'restart_services': 'bool', 'txqueuelen': 'int', 'interfaces': 'raw',
    'txqueuelen_persist': 'str', 'raise_only': 'bool',
}
# tcp_tune_* names that are not role inputs (outputs, playbook knobs).
NOT_PARAMS = ('report', 'hosts')

DEFAULTS = {
    'state': 'present', 'profile': 'balanced', 'reserve_listening_ports': True, 'tw_recycle': False,
    'conntrack_load': False, 'limits_domains': ['*', 'root'], 'restart_services': False,
    'interfaces': 'physical', 'txqueuelen_persist': 'rc_local', 'raise_only': True, 'sysctl': {},
    'service_nofile': {},
}

_IFNAME = re.compile(r'^[A-Za-z0-9_.+-]{1,15}$')
_UNIT = re.compile(r'^[A-Za-z0-9:_.\\@-]+$')
_SYSCTL_BAD = re.compile(r'[/=\s]')


class PlanError(Exception):
    """Bad input: the message names each variable and what is allowed."""

    def __init__(self, errors):
        self.errors = list(errors)
        super(PlanError, self).__init__('; '.join(self.errors))


# ---------------------------------------------------------------- helpers

def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def _to_int(value):
    """int from int or a decimal string; anything else unchanged (validation reports it)."""
    if _is_int(value):
        return value
    if isinstance(value, float) and value == int(value):
        return int(value)
    if isinstance(value, str) and re.match(r'^\s*-?\d+\s*$', value):
        return int(value)
    return value


def _to_bool(value):
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ('yes', 'true', 'on', '1', 'y'):
        return True
    if isinstance(value, str) and value.strip().lower() in ('no', 'false', 'off', '0', 'n', ''):
        return False
    if _is_int(value):
        return bool(value)
    return value


def _blank(value):
    return value is None or (isinstance(value, str) and value.strip() == '')


def pow2ceil(n):
    """Smallest power of two >= n (n >= 1)."""
    p = 1
    while p < n:
        p *= 2
    return p


def _ceil(x):
    i = int(x)
    return i if i == x else i + 1


def var(short):
    return PREFIX + short


def _version_tuple(text):
    match = re.search(r'(\d+)\.(\d+)(?:\.(\d+))?', text or '')
    if not match:
        return None
    return tuple(int(p or 0) for p in match.groups())


def kernel_text(facts):
    kernel = (facts or {}).get('kernel') or {}
    return kernel.get('release') or 'unknown'


def kernel_version(facts):
    version = ((facts or {}).get('kernel') or {}).get('version')
    return tuple(version) if version else None


def _sysctl_fact(facts, name):
    return ((facts or {}).get('sysctl') or {}).get(name) or {}


def _containment(facts):
    return (facts or {}).get('containment') or {}


# ---------------------------------------------------------------- port sets

def parse_port_set(value):
    """'8080,9000-9010' / [8080, '9000-9010'] / [[9000, 9010]] -> merged sorted [[lo, hi], ...]; ValueError if bad."""
    items = []
    if value is None:
        return []
    if isinstance(value, str):
        value = [p for p in re.split(r'[,\s]+', value.strip()) if p]
    if _is_int(value):
        value = [value]
    for item in value:
        if isinstance(item, (list, tuple)) and len(item) == 2:
            lo, hi = _to_int(item[0]), _to_int(item[1])
        elif isinstance(item, str) and '-' in item:
            lo, hi = (_to_int(p) for p in item.split('-', 1))
        else:
            lo = hi = _to_int(item)
        if not (_is_int(lo) and _is_int(hi)) or not 1 <= lo <= hi <= 65535:
            raise ValueError('%r is not a port (1..65535) or a range "lo-hi"' % (item,))
        items.append([lo, hi])
    return merge_port_ranges(items)


def format_port_set(pairs):
    return ','.join('%d' % lo if lo == hi else '%d-%d' % (lo, hi) for lo, hi in pairs)


def listening_ports(text):
    """Local ports in state 0A (LISTEN) from /proc/net/tcp and tcp6 text."""
    ports = set()
    for line in (text or '').splitlines():
        parts = line.split()
        if len(parts) >= 4 and ':' in parts[1] and parts[3] == '0A':
            local = parts[1]
        elif len(parts) == 1 and ':' in parts[0]:
            local = parts[0]  # `awk '$4 == "0A" {print $2}'` output: local address only
        else:
            continue
        try:
            ports.add(int(local.rsplit(':', 1)[1], 16))
        except ValueError:
            continue
    return sorted(ports)


# ---------------------------------------------------------------- values

def format_value(name, value):
    """Text of a value as sysctl files and `sysctl -w` take it."""
    key = _keys.BY_NAME.get(name)
    if key is not None and key.value_type == _keys.TYPE_PORT_SET:
        return format_port_set(value)
    if isinstance(value, (list, tuple)):
        return ' '.join(str(v) for v in value)
    if isinstance(value, bool):
        return '1' if value else '0'
    return str(value)


def normalize_raw(text):
    return ' '.join(str(text).split()) if text is not None else None


def parse_value(name, raw):
    """A raw sysctl text parsed like the facts do (int, int list, port pairs); other keys: normalized text."""
    key = _keys.BY_NAME.get(name)
    if raw is None:
        return None
    if key is None:
        return normalize_raw(raw)
    if key.value_type == _keys.TYPE_PORT_SET:
        return parse_port_set(raw)
    parts = str(raw).split()
    try:
        ints = [int(p) for p in parts]
    except ValueError:
        return normalize_raw(raw)
    if key.value_type == _keys.TYPE_INT_LIST:
        return ints
    return ints[0] if len(ints) == 1 else ints


def _same(name, a, b):
    if a is None or b is None:
        return a is b
    return format_value(name, a) == format_value(name, b)


def _greater(a, b):
    """a > b for ints, elementwise-all for lists; None when not comparable."""
    if _is_int(a) and _is_int(b):
        return a > b
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b) and all(_is_int(x) for x in a + b):
        return any(x > y for x, y in zip(a, b)) and all(x >= y for x, y in zip(a, b))
    return None


def _holds_more(name, kind, baseline, wanted):
    """Whether the value in effect allows more than the wanted one (what tcp_tune_raise_only keeps).

    Capacity keys compare as numbers; the port range, a behaviour key, by how
    many ports it holds: a wider range in effect is never narrowed.
    """
    if name == PORT_RANGE_KEY:
        if isinstance(baseline, list) and isinstance(wanted, list) and len(baseline) == len(wanted) == 2 \
                and all(_is_int(x) for x in baseline + wanted):
            return baseline[1] - baseline[0] > wanted[1] - wanted[0]
        return False
    return kind == _keys.KIND_CAPACITY and bool(_greater(baseline, wanted))


# ---------------------------------------------------------------- params

def normalize_params(raw):
    """{'tcp_tune_x': v} (or short names) -> ({short: value}, [warnings]); defaults filled, types coerced."""
    params = dict(DEFAULTS)
    warnings = []
    for name, value in (raw or {}).items():
        short = name[len(PREFIX):] if name.startswith(PREFIX) else name
        if short.startswith('_') or short in NOT_PARAMS:
            continue
        if short not in PARAMS:
            warnings.append('%s is not a variable of netlimits.tcp.tcp_tune (typo?); ignored' % var(short))
            continue
        kind = PARAMS[short]
        if _blank(value) and kind != 'dict':
            value = DEFAULTS.get(short)
        elif kind == 'int':
            value = _to_int(value)
        elif kind == 'bool':
            # 0 and 1 are booleans (as Ansible's bool type has it); 2 or 1.5 stay as given and fail validation
            value = value if _is_int(value) and value not in (0, 1) else _to_bool(value)
        elif kind == 'dict' and value is None:
            value = {}
        elif kind == 'list' and isinstance(value, tuple):
            value = list(value)
        elif kind == 'num' and isinstance(value, str):
            try:
                value = float(value)
            except ValueError:
                pass
        elif short in ('nofile', 'nofile_soft'):
            value = _to_int(value)
        params[short] = value
    for short in PARAMS:
        params.setdefault(short, None)
    return params, warnings


def _allowed_int(minimum=None, maximum=None):
    """Words for the integers from minimum to maximum (either may be None), for error messages."""
    if minimum is not None and maximum is not None:
        return 'an integer from %d to %d' % (minimum, maximum)
    if minimum is not None:
        return 'an integer >= %d' % minimum
    if maximum is not None:
        return 'an integer <= %d' % maximum
    return 'an integer'


def _check_int(errors, short, value, minimum=None, maximum=None, what=None):
    """One error naming the variable and the allowed integers when value is not an integer in range."""
    if value is None:
        return
    if not _is_int(value) or (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        errors.append('%s must be %s, got %r' % (var(short), what or _allowed_int(minimum, maximum), value))


def nr_open_after(params, facts, values):
    """fs.nr_open as this run leaves it: raised first when tcp_tune_nr_open (or the profile) asks and it is writable."""
    fact = _sysctl_fact(facts, 'fs.nr_open')
    current = fact.get('value') if _is_int(fact.get('value')) else 1048576
    wanted = values.get('nr_open')
    if _is_int(wanted) and wanted > current and fact.get('writable', True) and fact.get('present', True):
        return wanted
    return current


def validate(params, facts):
    """Errors for every rule argument_specs cannot express. Raises PlanError listing all of them."""
    errors = []
    p = params
    if p['state'] not in STATES:
        errors.append('%s must be one of %s, got %r' % (var('state'), ', '.join(STATES), p['state']))
    if p['profile'] not in PROFILES:
        errors.append('%s must be one of %s, got %r' % (var('profile'), ', '.join(sorted(PROFILES)), p['profile']))
    for short in ('reserve_listening_ports', 'tw_recycle', 'conntrack_load', 'restart_services', 'raise_only'):
        if p[short] is not None and not isinstance(p[short], bool):
            errors.append('%s must be true or false, got %r' % (var(short), p[short]))
    _check_int(errors, 'target_connections', p['target_connections'], 1)
    rate = p['target_outbound_rate']
    if rate is not None and (isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0 < rate < float('inf')):
        errors.append('%s must be a finite number > 0 (new connections per second), got %r'
                      % (var('target_outbound_rate'), rate))

    unpriv = _sysctl_fact(facts, 'net.ipv4.ip_unprivileged_port_start').get('value')
    unpriv = unpriv if _is_int(unpriv) else 1024
    rng = p['local_port_range']
    if rng is not None:
        if not isinstance(rng, list) or len(rng) != 2 or not all(_is_int(_to_int(x)) for x in rng):
            errors.append('%s must be two integers [low, high], got %r' % (var('local_port_range'), rng))
        else:
            lo, hi = (_to_int(x) for x in rng)
            p['local_port_range'] = [lo, hi]
            if lo > hi:
                errors.append('%s: low (%d) must not be above high (%d)' % (var('local_port_range'), lo, hi))
            if hi > 65535 or lo < 1:
                errors.append('%s must stay within 1..65535, got %r' % (var('local_port_range'), rng))
            if lo < unpriv:
                errors.append('%s: low (%d) must be >= net.ipv4.ip_unprivileged_port_start (%d) on this host'
                              % (var('local_port_range'), lo, unpriv))
    if p['reserved_ports'] is not None:
        try:
            p['reserved_ports'] = parse_port_set(p['reserved_ports'])
        except (ValueError, TypeError) as exc:
            errors.append('%s: %s' % (var('reserved_ports'), exc))
    tw = p['tw_reuse']
    if isinstance(tw, bool):
        p['tw_reuse'] = tw = int(tw)
    _check_int(errors, 'tw_reuse', tw, 0, 2, 'one of 0 (off), 1 (on), 2 (loopback only)')
    _check_int(errors, 'fin_timeout', p['fin_timeout'], 1, _keys.INT_MAX)
    for short in ('somaxconn', 'max_syn_backlog', 'netdev_max_backlog', 'max_orphans', 'orphan_retries',
                  'conntrack_max', 'file_max', 'nr_open'):
        key = _keys.BY_VARIABLE.get(var(short))
        maximum = key.maximum if key else None
        if maximum is None:
            maximum = 2 ** 63 - 1   # LONG_MAX: fs.file-max is an unsigned long the kernel caps there
        _check_int(errors, short, p[short], key.minimum if key else 1, maximum)
    _check_int(errors, 'systemd_default_nofile', p['systemd_default_nofile'], 1, what='an integer from 1 to fs.nr_open')
    _check_int(errors, 'txqueuelen', p['txqueuelen'], 0, TXQUEUELEN_MAX)

    for short in ('nofile', 'nofile_soft'):
        value = p[short]
        if isinstance(value, str) and value.strip().lower() in ('unlimited', 'infinity', '-1'):
            errors.append('%s must be an integer from 1 to fs.nr_open, not %r: an unlimited nofile is above '
                          'fs.nr_open and makes PAM logins fail' % (var(short), value))
        else:
            _check_int(errors, short, value, 1, what='an integer from 1 to fs.nr_open')
    if _is_int(p['nofile']) and _is_int(p['nofile_soft']) and p['nofile_soft'] > p['nofile']:
        errors.append('%s (%d) must not be above %s (%d)' % (var('nofile_soft'), p['nofile_soft'],
                                                             var('nofile'), p['nofile']))
    domains = p['limits_domains']
    if not isinstance(domains, list) or not domains:
        errors.append('%s must be a non-empty list of limits.conf domains (user, @group, *), got %r'
                      % (var('limits_domains'), domains))
    else:
        for domain in domains:
            if not isinstance(domain, str) or not domain or re.search(r'\s', domain) or '#' in domain:
                errors.append('%s: %r is not a limits.conf domain (no whitespace, no #, not empty)'
                              % (var('limits_domains'), domain))
    services = p['service_nofile']
    if not isinstance(services, dict):
        errors.append('%s must be a dict of service name to nofile, got %r' % (var('service_nofile'), services))
    else:
        for name, value in services.items():
            unit = str(name)
            if unit.endswith('.service'):
                unit = unit[:-len('.service')]
            if not unit or len(unit) > 247 or not _UNIT.match(unit) or unit.startswith(('-', '@')) or '..' in unit \
                    or unit.count('@') > 1:
                errors.append('%s: %r is not a valid systemd service name (ASCII letters, digits and ":_.-\\@", '
                              'at most one "@", not starting with "-" or "@", no "..", 1 to 247 characters before an '
                              'optional ".service")' % (var('service_nofile'), name))
            if not _is_int(_to_int(value)) or _to_int(value) < 1:
                errors.append('%s[%s] must be an integer from 1 to fs.nr_open, got %r' % (var('service_nofile'), name, value))

    ifaces = p['interfaces']
    if ifaces != 'physical':
        if not isinstance(ifaces, list):
            errors.append('%s must be "physical" or a list of interface names, got %r' % (var('interfaces'), ifaces))
        else:
            for name in ifaces:
                if not isinstance(name, str) or not _IFNAME.match(name) or name in ('.', '..'):
                    errors.append('%s: %r is not an interface name (1..15 characters of A-Z a-z 0-9 _ . + -; '
                                  'no "/", whitespace or shell characters)' % (var('interfaces'), name))
    if p['txqueuelen_persist'] not in PERSIST_METHODS:
        errors.append('%s must be one of %s, got %r'
                      % (var('txqueuelen_persist'), ', '.join(PERSIST_METHODS), p['txqueuelen_persist']))
    extra = p['sysctl']
    if not isinstance(extra, dict):
        errors.append('%s must be a dict of sysctl key to value, got %r' % (var('sysctl'), extra))
    else:
        for name, value in extra.items():
            if not isinstance(name, str) or _SYSCTL_BAD.search(name) \
                    or not re.match(r'^[A-Za-z0-9_+@][A-Za-z0-9_+@-]*(\.[A-Za-z0-9_+@-]+)+$', name):
                errors.append('%s: key %r is not allowed: a sysctl name is dot-separated parts of letters, digits and '
                              '"_-+@" (no "/", "..", "=", "*", spaces or newlines; not starting with "-" or ".")'
                              % (var('sysctl'), name))
                continue
            key = _keys.BY_NAME.get(name)
            if key is not None and key.variable:
                errors.append('%s must not set %s: the role sets it from %s, set that variable instead'
                              % (var('sysctl'), name, key.variable))
                continue
            scalars = value if isinstance(value, (list, tuple)) else [value]
            text = format_value(name, value) if scalars and all(
                isinstance(v, (str, int, float)) for v in scalars) else None
            if text is None or not text.strip() or '\n' in text or '\r' in text:
                errors.append('%s[%s]: value %r is not allowed: a number, text or list of numbers (not null or '
                              'empty, no newlines)' % (var('sysctl'), name, value))
                continue
            if key is not None and key.value_type == _keys.TYPE_INT:
                _check_int(errors, 'sysctl[%s]' % name, _to_int(value), key.minimum, key.maximum)
            elif key is not None and key.value_type == _keys.TYPE_INT_LIST:
                ints = [_to_int(v) for v in text.split()]
                if not all(_is_int(i) and (key.minimum is None or i >= key.minimum)
                           and (key.maximum is None or i <= key.maximum) for i in ints):
                    errors.append('%s[%s] must be a list of numbers, each %s, got %r' % (
                        var('sysctl'), name, _allowed_int(key.minimum, key.maximum), value))
    if errors:
        raise PlanError(errors)


# ---------------------------------------------------------------- profile + sizing

def effective_values(params, facts):
    """(values, sizing) where values = profile < sizing < explicit, per short variable name."""
    values = dict(PROFILES.get(params['profile']) or {})
    explicit = dict((k, v) for k, v in params.items() if v is not None and k in (
        'local_port_range', 'reserved_ports', 'tw_reuse', 'fin_timeout', 'somaxconn', 'max_syn_backlog',
        'netdev_max_backlog', 'max_orphans', 'orphan_retries', 'conntrack_max', 'file_max', 'nr_open',
        'nofile', 'nofile_soft', 'systemd_default_nofile', 'txqueuelen'))
    sizing = size(params, facts, values, explicit)
    for short, value in sizing['values'].items():
        if short not in explicit:
            values[short] = value
    values.update(explicit)
    values['tw_recycle'] = 1 if params['tw_recycle'] else 0
    if _is_int(values.get('nofile')) and _is_int(values.get('nr_open')) and values['nofile'] > values['nr_open'] \
            and 'nr_open' not in explicit and 'nofile' not in explicit:
        # a profile's or sizing's nofile brings its nr_open along; an explicit nofile needs tcp_tune_nr_open
        values['nr_open'] = values['nofile']
    return values, sizing


def size(params, facts, base, explicit):
    """Workload sizing: port range, tw_reuse, nofile, file-max, nr_open, conntrack from the two targets.

    Returns {'values': {short: value}, 'lines': [arithmetic], 'warnings': [...]}. Values only raise
    what the profile gives; explicit variables win later (a shortfall is a warning).
    """
    out = {'values': {}, 'lines': [], 'warnings': []}
    conns = params.get('target_connections')
    rate = params.get('target_outbound_rate')
    ports = (facts or {}).get('ports') or {}
    if rate:
        rng = explicit.get('local_port_range') or base.get('local_port_range') or ports.get('range') or [32768, 60999]
        have = rng[1] - rng[0] + 1
        reuse_after = ports.get('tw_reuse_after_seconds') or 1.0
        widest = WIDEST_RANGE[1] - WIDEST_RANGE[0] + 1
        need = _ceil(rate * TIME_WAIT_SECONDS * HEADROOM)
        out['lines'].append('outbound: %s new connections/s to one destination x %d s TIME_WAIT x %.1f headroom '
                            '= %d ports without tw_reuse; range %d-%d has %d'
                            % (rate, TIME_WAIT_SECONDS, HEADROOM, need, rng[0], rng[1], have))
        tw_reuse = explicit.get('tw_reuse', base.get('tw_reuse'))
        if tw_reuse == 1:
            need = _ceil(rate * reuse_after * HEADROOM)
            out['lines'].append('tw_reuse=1: a TIME_WAIT port is reusable after %s s: %s x %s x %.1f = %d ports'
                                % (reuse_after, rate, reuse_after, HEADROOM, need))
        elif need > widest:
            out['values']['tw_reuse'] = 1
            need = _ceil(rate * reuse_after * HEADROOM)
            out['lines'].append('%d > %d (widest range %d-%d): tw_reuse=1, reusable after %s s: %s x %s x %.1f = %d ports'
                                % (_ceil(rate * TIME_WAIT_SECONDS * HEADROOM), widest, WIDEST_RANGE[0],
                                   WIDEST_RANGE[1], reuse_after, rate, reuse_after, HEADROOM, need))
            if 'tw_reuse' in explicit and explicit['tw_reuse'] != 1:
                out['warnings'].append('%s=%s is explicit, but %s new connections/s to one destination need '
                                       'tcp_tw_reuse=1' % (var('tw_reuse'), explicit['tw_reuse'], rate))
        if need <= have:
            out['lines'].append('%d <= %d: the range %d-%d suffices' % (need, have, rng[0], rng[1]))
        else:
            lo = max(WIDEST_RANGE[0], WIDEST_RANGE[1] + 1 - need)
            if lo % 2:
                lo -= 1  # 65535 is odd: an even low end keeps the parity split of connect()/bind()
            lo = max(lo, WIDEST_RANGE[0])
            new = [lo, WIDEST_RANGE[1]]
            out['values']['local_port_range'] = new
            out['lines'].append('%d > %d: range %d-%d (%d ports)' % (need, have, new[0], new[1], new[1] - new[0] + 1))
            if need > new[1] - new[0] + 1:
                out['warnings'].append('%s new connections/s to one destination need %d ports, more than one source '
                                       'IP has (%d): add source addresses or destinations'
                                       % (rate, need, new[1] - new[0] + 1))
            if 'local_port_range' in explicit:
                out['warnings'].append('%s=%s is explicit and smaller than the %d ports the outbound rate needs'
                                       % (var('local_port_range'), explicit['local_port_range'], need))
    if conns:
        nofile = pow2ceil(conns + 1024)
        out['lines'].append('nofile: %d connections + 1024 other files, power of two = %d' % (conns, nofile))
        if not _is_int(base.get('nofile')) or nofile > base['nofile']:
            out['values']['nofile'] = nofile
        nofile_final = explicit.get('nofile', out['values'].get('nofile', base.get('nofile')))
        file_max = pow2ceil(2 * conns + 65536)
        out['lines'].append('file-max: 2 x %d (proxies hold two per connection) + 65536 system files, '
                            'power of two = %d' % (conns, file_max))
        if not _is_int(base.get('file_max')) or file_max > base['file_max']:
            out['values']['file_max'] = file_max
        nr_open = _sysctl_fact(facts, 'fs.nr_open').get('value')
        if _is_int(nofile_final) and _is_int(nr_open) and nofile_final > nr_open:
            out['values']['nr_open'] = nofile_final
            out['lines'].append('nr_open: nofile %d > fs.nr_open %d: nr_open = %d (raised first)'
                                % (nofile_final, nr_open, nofile_final))
        tw_entries = _ceil(rate * 120) if rate else 0
        conntrack = pow2ceil(2 * conns + tw_entries)
        out['lines'].append('conntrack: 2 x %d connections%s, power of two = %d; buckets = max / %d = %d'
                            % (conns, (' + %s/s x 120 s TIME_WAIT entries' % rate) if rate else '',
                               conntrack, CONNTRACK_PER_BUCKET, max(1, conntrack // CONNTRACK_PER_BUCKET)))
        out['values']['conntrack_max'] = conntrack
    return out


# ---------------------------------------------------------------- sysctl

def loader_supports_dash(facts, sysctl_version_text):
    """'-key = value' is understood by every loader present: systemd >= 243 and procps-ng >= 3.3.16."""
    systemd = (((facts or {}).get('persistence') or {}).get('systemd_version'))
    procps = _version_tuple(sysctl_version_text) if sysctl_version_text else None
    if systemd is not None and systemd < SYSTEMD_DASH_SINCE:
        return False
    if procps is not None and procps < PROCPS_DASH_SINCE:
        return False
    return systemd is not None or procps is not None


def _wanted_sysctl(values, params, facts, host):
    """[(name, wanted, source variable)] from the table's variables, then tcp_tune_sysctl."""
    wanted = []
    listening = listening_ports((host or {}).get('listening_text'))
    for key in _keys.KEYS:
        if not key.variable:
            continue
        short = key.variable[len(PREFIX):]
        value = values.get(short)
        if short == 'tw_recycle':
            wanted.append((key.name, value, key.variable))
            continue
        if short == 'reserved_ports':
            fact = _sysctl_fact(facts, key.name)
            current = fact.get('value') if isinstance(fact.get('value'), list) else []
            original = _original_value(host, key.name)
            pairs = list(value or [])
            rng = values.get('local_port_range')
            added = []
            if params.get('reserve_listening_ports') and rng:
                added = [p for p in listening if rng[0] <= p <= rng[1]]
            if not pairs and not added and params.get('reserved_ports') is None:
                continue
            base = original if original is not None else current
            merged = parse_port_set([[a, b] for a, b in (base or [])] + pairs + added)
            wanted.append((key.name, merged, key.variable))
            continue
        if short == 'conntrack_max':
            continue  # planned by plan_conntrack
        if value is None:
            continue
        wanted.append((key.name, value, key.variable))
    for name, value in sorted(((params or {}).get('sysctl') or {}).items()):
        key = _keys.BY_NAME.get(name)
        parsed = parse_value(name, format_value(name, value)) if key is not None else normalize_raw(format_value(name, value))
        wanted.append((name, parsed, var('sysctl')))
    return wanted


def _original_value(host, name):
    state = (host or {}).get('state') or {}
    entry = (state.get('sysctl') or {}).get(name)
    if not entry:
        return None
    return parse_value(name, entry.get('value'))


def _entry(name, fact, wanted, source):
    key = _keys.BY_NAME.get(name)
    return {
        'key': name, 'variable': source, 'before': fact.get('value') if fact else None,
        'wanted': wanted, 'after': None, 'status': None, 'reason': '',
        'scope': key.scope if key else (fact or {}).get('scope'),
        'kind': key.kind if key else _keys.KIND_BEHAVIOUR,
        'in_file': False, 'apply': False, 'overridden_by': None, 'live': None,
    }


def plan_key(name, wanted, source, facts, params, host):
    """Status of one key: the heart of the planner. Returns the report entry."""
    key = _keys.BY_NAME.get(name)
    extra = ((host or {}).get('extra_sysctl') or {})
    fact = _sysctl_fact(facts, name) if key is not None else extra.get(name) or {}
    if key is None and fact:
        fact = dict(fact)
        fact['value'] = normalize_raw(fact.get('value'))
    entry = _entry(name, fact, wanted, source)
    version = kernel_version(facts)
    release = kernel_text(facts)
    warnings = []
    if key is not None and not _keys.exists_in_kernel(key, version):
        entry['status'] = SKIPPED_KERNEL
        if key.until:
            entry['reason'] = '%s was removed in %d.%d; kernel %s does not have it' % (
                name, key.until[0], key.until[1], release)
        else:
            entry['reason'] = '%s exists from %d.%d; kernel %s does not have it' % (
                name, key.since[0], key.since[1], release)
        if name == 'net.ipv4.tcp_tw_recycle' and wanted:
            warnings.append('tcp_tw_recycle: not set: %s (it broke clients behind NAT)' % entry['reason'])
        elif name != 'net.ipv4.tcp_tw_recycle':
            warnings.append('%s: skipped: %s' % (name, entry['reason']))
        return entry, warnings
    if key is not None and _is_int(wanted) and not _keys.value_allowed_on(name, wanted, version):
        since = _keys.VALUE_GUARDS[(name, wanted)]
        entry['status'] = SKIPPED_KERNEL
        entry['reason'] = '%s=%s needs kernel %d.%d or newer; this is %s' % (name, wanted, since[0], since[1], release)
        warnings.append('%s: refused: %s' % (name, entry['reason']))
        return entry, warnings
    if not fact.get('present'):
        entry['status'] = SKIPPED_MISSING
        if key is not None and key.needs_module:
            entry['reason'] = '%s exists only while %s is loaded' % (name, key.needs_module)
        elif key is not None and key.scope == _keys.SCOPE_INIT_NETNS:
            entry['reason'] = '%s exists only in the initial network namespace (not in a container)' % name
        else:
            entry['reason'] = '%s does not exist on this host' % name
        return entry, warnings
    if name == 'net.ipv4.tcp_tw_recycle' and wanted:
        warnings.append('tcp_tw_recycle=1 on kernel %s: it drops connections from clients behind NAT '
                        '(removed in 4.12 for that reason)' % release)
    before = fact.get('value')
    raise_only = params.get('raise_only', True)
    original = _original_value(host, name) if key is not None else None
    baseline = original if original is not None else before
    if raise_only and _holds_more(name, entry['kind'], baseline, wanted):
        entry['status'] = SKIPPED_LOWER
        entry['reason'] = '%s is %s here, above the wanted %s (tcp_tune_raise_only)' % (
            name, format_value(name, baseline), format_value(name, wanted))
        if not _same(name, before, baseline) and fact.get('writable'):
            # our own earlier run raised it further: go back to the higher value in effect before us
            entry['wanted'] = baseline
            entry['apply'] = True
        return entry, warnings
    entry['in_file'] = True
    if _same(name, before, wanted):
        entry['status'] = UNCHANGED
    elif not fact.get('writable'):
        entry['status'] = SKIPPED_READ_ONLY
        entry['reason'] = '%s is read-only here%s: the file persists it; the host must set it live' % (
            name, ' (container network namespace)' if _containment(facts).get('container') else '')
        warnings.append('%s: %s' % (name, entry['reason']))
    else:
        entry['status'] = APPLIED
        entry['apply'] = True
    entry['live'] = entry['status']
    prov = ((facts or {}).get('provenance') or {}).get(name)
    if prov:
        winner = would_be_overridden_by(prov, SYSCTL_FILE)
        if winner:
            entry['status'] = OVERRIDDEN
            entry['overridden_by'] = winner
            value = [f['value'] for f in prov.get('files', ()) if f['path'] == winner]
            entry['reason'] = '%s sets %s = %s and is loaded after %s: it wins at boot' % (
                winner, name, value[-1] if value else '?', SYSCTL_FILE)
            warnings.append('%s: overridden: %s' % (name, entry['reason']))
    return entry, warnings


def render_sysctl(entries, dash):
    """Lines of /etc/sysctl.d/90-netlimits-tcp.conf: only keys present on the host."""
    lines = [HEADER, '# Keys the running kernel lacks are left out; see tcp_tune_report.']
    for entry in entries:
        if not entry['in_file']:
            continue
        key = _keys.BY_NAME.get(entry['key'])
        if key is not None:
            lines.append('# %s' % key.doc)
        lines.append('%s%s = %s' % ('-' if dash else '', entry['key'], format_value(entry['key'], entry['wanted'])))
    return lines


def apply_argv(entries):
    """['sysctl', '-w', 'k=v', ...] for the keys to set live, fs.nr_open first; [] when none."""
    todo = [e for e in entries if e['apply']]
    todo.sort(key=lambda e: 0 if e['key'] == 'fs.nr_open' else 1)
    if not todo:
        return []
    return ['sysctl', '-w'] + ['%s=%s' % (e['key'], format_value(e['key'], e['wanted'])) for e in todo]


# ---------------------------------------------------------------- limits and systemd

def plan_limits(values, params, facts):
    """(report entries, lines of limits.d/90-netlimits-tcp.conf or None, warnings)."""
    hard = values.get('nofile')
    if not _is_int(hard):
        return [], None, []
    soft = values.get('nofile_soft') if _is_int(values.get('nofile_soft')) else hard
    soft = min(soft, hard)
    entries_in = ((facts or {}).get('files') or {}).get('limits_entries') or []
    ours = [e for e in entries_in if e.get('file') == LIMITS_FILE]
    others = [e for e in entries_in if e.get('file') != LIMITS_FILE]
    report, lines, warnings = [], [HEADER, '# <domain> <type> <item> <value>; "*" does not cover root.'], []
    for domain in params['limits_domains']:
        for kind, value in (('soft', soft), ('hard', hard)):
            entry = {'domain': domain, 'type': kind, 'item': 'nofile', 'wanted': value, 'before': None,
                     'status': None, 'reason': '', 'overridden_by': None}
            before_ours = [e for e in ours if e.get('domain') == domain and e.get('type') in (kind, '-')]
            same = [e for e in others if e.get('domain') == domain and e.get('type') in (kind, '-')]
            earlier = [e for e in same if e['file'] < LIMITS_FILE or e['file'] == '/etc/security/limits.conf']
            later = [e for e in same if e not in earlier]
            in_effect = (earlier[-1]['value'] if earlier else None)
            entry['before'] = before_ours[-1]['value'] if before_ours else in_effect
            higher = in_effect == 'unlimited' or (_is_int(in_effect) and in_effect > value)
            if params.get('raise_only') and higher:
                entry['status'] = SKIPPED_LOWER
                entry['reason'] = '%s sets %s %s nofile %s, above %s (tcp_tune_raise_only)' % (
                    earlier[-1]['file'], domain, kind, in_effect, value)
                report.append(entry)
                continue
            lines.append('%-8s %-4s nofile %d' % (domain, kind, value))
            if before_ours and before_ours[-1]['value'] == value:
                entry['status'] = UNCHANGED
            else:
                entry['status'] = APPLIED
            if later and later[-1]['value'] != value:
                entry['status'] = OVERRIDDEN
                entry['overridden_by'] = later[-1]['file']
                entry['reason'] = '%s (read after ours) sets %s %s nofile %s' % (
                    later[-1]['file'], domain, kind, later[-1]['value'])
                warnings.append('limits: %s' % entry['reason'])
            report.append(entry)
    return report, lines, warnings


def plan_manager(values, params, facts, host):
    """DefaultLimitNOFILE for the systemd manager: (entry or None, lines or None)."""
    wanted = values.get('systemd_default_nofile')
    if not _is_int(wanted):
        return None, None
    current = ((facts or {}).get('files') or {}).get('systemd_default_nofile')
    if current is None:
        return ({'wanted': wanted, 'before': None, 'status': SKIPPED_MISSING,
                 'reason': 'systemd is not the init system here'}, None)
    state = (host or {}).get('state') or {}
    original = state.get('systemd_default_nofile')
    if current.get('source') == MANAGER_FILE:
        base = original or SYSTEMD_BUILTIN_NOFILE
    else:
        base = {'soft': current.get('soft'), 'hard': current.get('hard')}
    soft, hard = wanted, wanted
    if params.get('raise_only'):
        if _is_int(base.get('soft')) and base['soft'] > soft:
            soft = base['soft']
        if _is_int(base.get('hard')) and base['hard'] > hard:
            hard = base['hard']
        if base.get('hard') == 'infinity' or base.get('soft') == 'infinity':
            return ({'wanted': wanted, 'before': current, 'status': SKIPPED_LOWER,
                     'reason': 'DefaultLimitNOFILE is infinity already'}, None)
    entry = {'wanted': '%d:%d' % (soft, hard), 'before': current, 'status': APPLIED, 'reason': ''}
    if current.get('soft') == soft and current.get('hard') == hard:
        entry['status'] = UNCHANGED if current.get('source') == MANAGER_FILE else SKIPPED_LOWER
        if entry['status'] == SKIPPED_LOWER:
            entry['reason'] = 'DefaultLimitNOFILE is %s:%s already (%s)' % (soft, hard, current.get('source'))
            return entry, None
    lines = [HEADER, '# Applied to the manager by `systemctl daemon-reexec`; services get it when (re)started.',
             '[Manager]', 'DefaultLimitNOFILE=%d:%d' % (soft, hard)]
    return entry, lines


def service_unit(name):
    name = str(name)
    return name[:-len('.service')] if name.endswith('.service') else name


def plan_services(params):
    """{path: lines} of the per-service drop-ins."""
    files = {}
    for name, value in sorted((params.get('service_nofile') or {}).items()):
        unit = service_unit(name)
        files[SERVICE_FILE % unit] = [HEADER, '[Service]', 'LimitNOFILE=%d' % _to_int(value)]
    return files


# ---------------------------------------------------------------- txqueuelen

def _interfaces(params, facts):
    known = dict((i.get('name'), i) for i in ((facts or {}).get('interfaces') or []))
    if params['interfaces'] == 'physical':
        return [(n, i) for n, i in sorted(known.items()) if i.get('physical')]
    return [(n, known.get(n)) for n in params['interfaces']]


def plan_txqueuelen(values, params, facts, host):
    """Live commands, report entries and the persistence method's files."""
    out = {'value': values.get('txqueuelen'), 'entries': [], 'commands': [], 'method': None,
           'files': {}, 'rc_local': None, 'warnings': [], 'enable_rc_local': False}
    wanted = values.get('txqueuelen')
    if not _is_int(wanted):
        return out
    state = (host or {}).get('state') or {}
    originals = state.get('txqueuelen') or {}
    names = []
    for name, iface in _interfaces(params, facts):
        entry = {'interface': name, 'before': None, 'wanted': wanted, 'status': None, 'reason': ''}
        out['entries'].append(entry)
        if iface is None:
            entry['status'] = SKIPPED_MISSING
            entry['reason'] = 'no interface %s here' % name
            out['warnings'].append('txqueuelen: %s' % entry['reason'])
            continue
        before = iface.get('txqueuelen')
        entry['before'] = before
        baseline = originals.get(name, before)
        if params.get('raise_only') and _is_int(baseline) and baseline > wanted:
            entry['status'] = SKIPPED_LOWER
            entry['reason'] = '%s has txqueuelen %d, above %d (tcp_tune_raise_only)' % (name, baseline, wanted)
            continue
        names.append(name)
        if before == wanted:
            entry['status'] = UNCHANGED
        else:
            entry['status'] = APPLIED
            out['commands'].append(['ip', 'link', 'set', 'dev', name, 'txqueuelen', str(wanted)])
    if params['interfaces'] == 'physical' and not out['entries']:
        out['warnings'].append('txqueuelen: no physical interface here (containers have veth; '
                               'name interfaces in tcp_tune_interfaces)')
    method = params['txqueuelen_persist']
    persistence = (facts or {}).get('persistence') or {}
    systemd = persistence.get('systemd_version')
    if method == 'rc_local' and systemd is not None and systemd >= RC_LOCAL_REMOVED_IN:
        out['warnings'].append('txqueuelen: systemd %d has no rc.local support (removed in %d): persisting with '
                               'udev instead' % (systemd, RC_LOCAL_REMOVED_IN))
        method = 'udev'
    if method == 'rc_local' and systemd is not None and not (host or {}).get('rc_local_generator', True):
        out['warnings'].append('txqueuelen: systemd-rc-local-generator is missing: persisting with udev instead')
        method = 'udev'
    if method == 'rc_local' and not (host or {}).get('ip_binary', True):
        out['warnings'].append('txqueuelen: no ip binary (iproute2), which rc.local lines need: persisting with udev instead')
        method = 'udev'
    if method == 'systemd_link' and (systemd is None or systemd < SYSTEMD_TXQ_SINCE):
        out['warnings'].append('txqueuelen: .link TransmitQueueLength= needs systemd %d (this has %s): '
                               'persisting with udev instead' % (SYSTEMD_TXQ_SINCE, systemd))
        method = 'udev'
    out['method'] = method
    if not names or method == 'none':
        return out
    if method == 'rc_local':
        files = (host or {}).get('files') or {}
        info = files.get(RC_LOCAL) or {}
        text = info.get('content') if info.get('exists') else None
        block = ['ip link set dev %s txqueuelen %d || true' % (n, wanted) for n in names]
        new, notes = rc_local_insert(text, block)
        out['warnings'].extend('rc.local: %s' % n for n in notes if not n.startswith('created'))
        if info.get('exists') and not info.get('executable', True):
            out['warnings'].append('rc.local: %s was not executable, so it never ran at boot: made it 0755' % RC_LOCAL)
        out['rc_local'] = new
        out['files'][RC_LOCAL] = {'content': new, 'mode': '0755'}
        out['enable_rc_local'] = True
    elif method == 'udev':
        lines = [HEADER] + ['ACTION=="add", SUBSYSTEM=="net", KERNEL=="%s", ATTR{tx_queue_len}="%d"' % (n, wanted)
                            for n in names]
        out['files'][UDEV_FILE] = {'content': '\n'.join(lines) + '\n', 'mode': '0644'}
    elif method == 'systemd_link':
        default_link = (host or {}).get('default_link')
        for n in names:
            out['files'][LINK_FILE % n] = {'content': render_link(default_link, n, wanted, HEADER), 'mode': '0644'}
    return out


# ---------------------------------------------------------------- conntrack

def plan_conntrack(values, params, facts, host):
    """(sysctl entries, modprobe lines or None, modules-load lines or None, warnings)."""
    entries, warnings = [], []
    wanted = values.get('conntrack_max')
    ct = (facts or {}).get('conntrack') or {}
    load_lines = [HEADER, 'nf_conntrack'] if params.get('conntrack_load') else None
    if not _is_int(wanted):
        return entries, None, load_lines, warnings
    name = ct.get('key') or 'net.netfilter.nf_conntrack_max'
    entry, warn = plan_key(name, wanted, var('conntrack_max'), facts, params, host)
    warnings.extend(warn)
    if entry['status'] == SKIPPED_MISSING:
        entry['reason'] = 'nf_conntrack is not loaded (set tcp_tune_conntrack_load: true to load it)'
    if entry['status'] == SKIPPED_READ_ONLY:
        entry['reason'] = ('%s is read-only outside the initial network namespace: the host must set it '
                           '(the file keeps it for when this runs on the host)' % name)
    entries.append(entry)
    buckets = max(1, _ceil(float(entry['wanted']) / CONNTRACK_PER_BUCKET)) if _is_int(entry['wanted']) else None
    modprobe = None
    if buckets and entry['status'] not in (SKIPPED_LOWER, SKIPPED_KERNEL):
        bentry, warn = plan_key('net.netfilter.nf_conntrack_buckets', buckets, var('conntrack_max'),
                                facts, params, host)
        bentry['in_file'] = False  # persisted by modprobe.d, not sysctl.d
        if bentry['status'] == SKIPPED_READ_ONLY:
            bentry['reason'] = 'conntrack buckets are read-only outside the initial network namespace: the host must set them'
        if bentry['status'] != SKIPPED_MISSING:
            warnings.extend(w for w in warn if 'overridden' not in w)
        entries.append(bentry)
        if bentry['status'] != SKIPPED_LOWER:
            # a hashsize below the buckets in effect would lower them at the next module load
            modprobe = [HEADER, '# hashsize = nf_conntrack_max / %d: at module load nf_conntrack_max becomes '
                        '%d x hashsize.' % (CONNTRACK_PER_BUCKET, CONNTRACK_PER_BUCKET),
                        'options nf_conntrack hashsize=%d' % buckets]
    return entries, modprobe, load_lines, warnings


# ---------------------------------------------------------------- files, state

def concern_of(path):
    """Which task file of the role handles a managed path."""
    if path == SYSCTL_FILE:
        return 'sysctl'
    if path == LIMITS_FILE:
        return 'limits'
    if path == MANAGER_FILE or '.service.d/' in path:
        return 'systemd'
    if path in (MODPROBE_FILE, MODULES_LOAD_FILE):
        return 'conntrack'
    return 'txqueuelen'


def _backup_path(path):
    return BACKUP_DIR + path


def _file_ops(wanted_files, host):
    """Writes, backups and stale removals for the present state.

    wanted_files: {path: {'content', 'mode'}}. A file that exists and is not ours
    yet is backed up once (byte copy under BACKUP_DIR) before the first write.
    """
    files = (host or {}).get('files') or {}
    state = (host or {}).get('state') or {}
    recorded = state.get('files') or {}
    writes, backups, record = [], [], {}
    for path in sorted(wanted_files):
        spec = wanted_files[path]
        info = files.get(path) or {}
        if path in recorded:
            record[path] = recorded[path]
        else:
            existed = bool(info.get('exists'))
            record[path] = {'existed': existed, 'mode': info.get('mode') if existed else None,
                            'backup': _backup_path(path) if existed else None}
            if existed:
                backups.append({'src': path, 'dest': _backup_path(path)})
        writes.append({'path': path, 'content': spec['content'], 'mode': spec['mode'], 'concern': concern_of(path)})
    stale = [p for p in sorted(recorded) if p not in wanted_files]
    return writes, backups, record, stale


def _undo_ops(paths, host):
    """How to undo our files: restore a backup, remove our rc.local block, or remove the file."""
    files = (host or {}).get('files') or {}
    state = (host or {}).get('state') or {}
    recorded = state.get('files') or {}
    restores, removes, writes = [], [], []
    for path in paths:
        rec = recorded.get(path) or {'existed': False}
        info = files.get(path) or {}
        if path == RC_LOCAL and rec.get('existed'):
            text = info.get('content')
            if text is not None and rc_local_has_block(text):
                writes.append({'path': path, 'content': rc_local_remove(text), 'mode': rec.get('mode') or '0755'})
            elif info.get('exists') and rec.get('mode') and info.get('mode') != rec.get('mode'):
                writes.append({'path': path, 'content': text, 'mode': rec.get('mode')})
        elif rec.get('existed') and rec.get('backup'):
            restores.append({'src': rec['backup'], 'dest': path, 'mode': rec.get('mode') or '0644'})
        elif info.get('exists', True):
            removes.append(path)
    return restores, removes, writes


def _state_record(facts, host, entries, tx_entries, manager, record_files, conntrack_load):
    """The state file's new content: originals recorded once (before the first change), merged additively."""
    old = (host or {}).get('state') or {}
    state = {
        'format': 1,
        'written_by': 'netlimits.tcp.tcp_tune',
        'container': old.get('container', bool(_containment(facts).get('container'))),
        'initial_netns': old.get('initial_netns', _containment(facts).get('initial_netns')),
        'kernel': old.get('kernel', kernel_text(facts)),
        'sysctl': dict(old.get('sysctl') or {}),
        'txqueuelen': dict(old.get('txqueuelen') or {}),
        'files': dict(old.get('files') or {}),
    }
    if 'systemd_default_nofile' in old:
        state['systemd_default_nofile'] = old['systemd_default_nofile']
    if 'conntrack_loaded_by_role' in old:
        state['conntrack_loaded_by_role'] = old['conntrack_loaded_by_role']
    for entry in entries:
        name = entry['key']
        fact = _sysctl_fact(facts, name) if name in _keys.BY_NAME else ((host or {}).get('extra_sysctl') or {}).get(name)
        if name in state['sysctl'] or not fact or not fact.get('present'):
            continue
        if entry['status'] in (SKIPPED_KERNEL, SKIPPED_MISSING):
            continue
        raw = fact.get('raw') if fact.get('raw') is not None else fact.get('value')
        state['sysctl'][name] = {'value': normalize_raw(raw),
                                 'scope': fact.get('scope') or (_keys.BY_NAME[name].scope if name in _keys.BY_NAME else None)}
    for entry in tx_entries:
        if entry['interface'] not in state['txqueuelen'] and _is_int(entry['before']):
            state['txqueuelen'][entry['interface']] = entry['before']
    if manager is not None and 'systemd_default_nofile' not in state:
        current = manager.get('before') or {}
        if current and current.get('source') != MANAGER_FILE:
            state['systemd_default_nofile'] = {'soft': current.get('soft'), 'hard': current.get('hard'),
                                               'source': current.get('source')}
    for path, rec in record_files.items():
        state['files'].setdefault(path, rec)
    if conntrack_load and 'conntrack_loaded_by_role' not in state:
        state['conntrack_loaded_by_role'] = not ((facts or {}).get('conntrack') or {}).get('loaded')
    return state


def state_text(state):
    return json.dumps(state, indent=2, sort_keys=True) + '\n'


def plan_paths(params, facts, state=None):
    """Paths whose existence/mode the role must stat before planning (ours, plus any in the state file)."""
    params, dummy = normalize_params(params)
    paths = {SYSCTL_FILE, LIMITS_FILE, MANAGER_FILE, RC_LOCAL, UDEV_FILE, MODPROBE_FILE, MODULES_LOAD_FILE}
    for name in (params.get('service_nofile') or {}) if isinstance(params.get('service_nofile'), dict) else ():
        paths.add(SERVICE_FILE % service_unit(name))
    ifaces = params.get('interfaces')
    names = []
    if params.get('txqueuelen_persist') == 'systemd_link':
        names = [i.get('name') for i in ((facts or {}).get('interfaces') or [])]
        if isinstance(ifaces, list):
            names.extend(n for n in ifaces if isinstance(n, str) and _IFNAME.match(n))
    for n in names:
        if n:
            paths.add(LINK_FILE % n)
    paths.update(((state or {}).get('files') or {}).keys())
    return sorted(paths)


def extra_keys(params, state=None):
    """Keys outside the table the role must read itself: tcp_tune_sysctl's, and those the state file recorded."""
    params, dummy = normalize_params(params)
    names = set(k for k in (params.get('sysctl') or {}) if isinstance(k, str) and k and not _SYSCTL_BAD.search(k)
                and '..' not in k and not k.startswith('-')) if isinstance(params.get('sysctl'), dict) else set()
    names.update(((state or {}).get('sysctl') or {}).keys())
    return sorted(n for n in names if n not in _keys.BY_NAME)


# ---------------------------------------------------------------- the plans

def plan(raw_params, facts, host=None):
    """The whole plan for tcp_tune_state present or absent. Raises PlanError on bad input."""
    params, warnings = normalize_params(raw_params)
    validate(params, facts)
    if params['state'] == 'absent':
        result = plan_revert(params, facts, host)
        result['warnings'] = warnings + result['warnings']
        return result
    values, sizing = effective_values(params, facts)
    warnings.extend(sizing['warnings'])
    # nofile against the fs.nr_open this run leaves
    leaves = nr_open_after(params, facts, values)
    errors = []
    for short in ('nofile', 'nofile_soft', 'systemd_default_nofile'):
        value = values.get(short)
        if _is_int(value) and value > leaves:
            if params.get(short) is not None:
                errors.append('%s (%d) is above fs.nr_open (%d) as this run leaves it: raise tcp_tune_nr_open in '
                              'the same run (it is applied first) or lower %s; a nofile above fs.nr_open makes '
                              'PAM logins fail' % (var(short), value, leaves, var(short)))
            else:
                warnings.append('%s from the profile (%d) is above fs.nr_open (%d), which cannot be raised here: '
                                'using %d' % (var(short), value, leaves, leaves))
                values[short] = leaves
    for name, value in (params.get('service_nofile') or {}).items():
        if _to_int(value) > leaves:
            errors.append('%s[%s] (%s) is above fs.nr_open (%d) as this run leaves it: it must be an integer from 1 '
                          'to fs.nr_open (raise tcp_tune_nr_open in the same run); a service cannot start with a '
                          'LimitNOFILE above it' % (var('service_nofile'), name, value, leaves))
    soft, hard = values.get('nofile_soft'), values.get('nofile')
    if params.get('nofile_soft') is not None and not _is_int(hard):
        errors.append('%s needs a hard limit to stay under: set %s too (profile %s sets none)'
                      % (var('nofile_soft'), var('nofile'), params['profile']))
    elif params.get('nofile') is None and _is_int(soft) and soft > hard:
        errors.append('%s (%d) must not be above the hard limit (%d, %s from profile %s): lower it or set %s'
                      % (var('nofile_soft'), soft, hard, var('nofile'), params['profile'], var('nofile')))
    if errors:
        raise PlanError(errors)

    entries = []
    for name, wanted, source in _wanted_sysctl(values, params, facts, host):
        entry, warn = plan_key(name, wanted, source, facts, params, host)
        entries.append(entry)
        warnings.extend(warn)
    ct_entries, modprobe, modules_load, warn = plan_conntrack(values, params, facts, host)
    entries.extend(ct_entries)
    warnings.extend(warn)
    dash = loader_supports_dash(facts, (host or {}).get('sysctl_version'))
    wanted_files = {}
    if any(e['in_file'] for e in entries):
        wanted_files[SYSCTL_FILE] = {'content': '\n'.join(render_sysctl(entries, dash)) + '\n', 'mode': '0644'}
    limits, limits_lines, warn = plan_limits(values, params, facts)
    warnings.extend(warn)
    if limits_lines and len(limits_lines) > 2:
        wanted_files[LIMITS_FILE] = {'content': '\n'.join(limits_lines) + '\n', 'mode': '0644'}
    manager, manager_lines = plan_manager(values, params, facts, host)
    if manager_lines:
        wanted_files[MANAGER_FILE] = {'content': '\n'.join(manager_lines) + '\n', 'mode': '0644'}
    services = plan_services(params)
    for path, lines in services.items():
        wanted_files[path] = {'content': '\n'.join(lines) + '\n', 'mode': '0644'}
    tx = plan_txqueuelen(values, params, facts, host)
    warnings.extend(tx['warnings'])
    wanted_files.update(tx['files'])
    if modprobe:
        wanted_files[MODPROBE_FILE] = {'content': '\n'.join(modprobe) + '\n', 'mode': '0644'}
    if modules_load:
        wanted_files[MODULES_LOAD_FILE] = {'content': '\n'.join(modules_load) + '\n', 'mode': '0644'}
    writes, backups, record_files, stale = _file_ops(wanted_files, host)
    restores, removes, undo_writes = _undo_ops(stale, host)
    state = _state_record(facts, host, entries, tx['entries'], manager, record_files, params.get('conntrack_load'))
    for path in stale:
        state['files'].pop(path, None)
    return {
        'state': 'present',
        'profile': params['profile'],
        'values': values,
        'sizing': {'lines': sizing['lines']},
        'sysctl': entries,
        'sysctl_dash': dash,
        'apply_argv': apply_argv(entries),
        'limits': limits,
        'systemd_default_nofile': manager,
        'services': sorted(service_unit(n) for n in (params.get('service_nofile') or {})),
        'service_files': sorted(services),
        'restart_services': bool(params.get('restart_services')),
        'txqueuelen': {'value': tx['value'], 'method': tx['method'], 'entries': tx['entries'],
                       'commands': tx['commands'], 'enable_rc_local': tx['enable_rc_local']},
        'conntrack_load': bool(params.get('conntrack_load')) and not ((facts or {}).get('conntrack') or {}).get('loaded'),
        'files': writes,
        'backups': backups,
        'restores': restores,
        'removes': removes,
        'undo_writes': undo_writes,
        'state_file': {'path': STATE_FILE, 'content': state_text(state)},
        'state_dirs': [STATE_DIR, BACKUP_DIR],
        'manager_file': MANAGER_FILE,
        'warnings': warnings,
        'kernel': kernel_text(facts),
        'container': bool(_containment(facts).get('container')),
    }


def plan_revert(params, facts, host):
    """tcp_tune_state absent: remove our files, restore backups, put live values back.

    Live values go back to what the state file recorded before the role first
    changed them; a key our sysctl file sets but the state file lacks goes to
    the kernel default (_keys.default_for) when one is known. Keys of scope
    host/init_netns are restored only outside a container: from a container
    they belong to the machine (fs.*) or are not ours to write.
    """
    host = host or {}
    state = host.get('state') or {}
    warnings = []
    container = bool(_containment(facts).get('container'))
    recorded = dict(state.get('sysctl') or {})
    files = host.get('files') or {}
    ours_text = (files.get(SYSCTL_FILE) or {}).get('content')
    names = list(recorded)
    for name, dummy in parse_sysctl_file(ours_text):
        if name not in recorded:
            names.append(name)
    entries = []
    version = kernel_version(facts)
    for name in names:
        key = _keys.BY_NAME.get(name)
        fact = _sysctl_fact(facts, name) if key else ((host.get('extra_sysctl') or {}).get(name) or {})
        scope = (recorded.get(name) or {}).get('scope') or (key.scope if key else _keys.SCOPE_NETNS)
        if name in recorded:
            original = parse_value(name, recorded[name].get('value'))
        else:
            original = _keys.default_for(key, version) if key else None
        before = fact.get('value') if key else normalize_raw(fact.get('value'))
        entry = _entry(name, fact, original, 'revert')
        entry['before'] = before
        if original is None:
            entry['status'] = UNKNOWN_ORIGINAL
            entry['reason'] = 'no recorded original and no fixed kernel default: left at %s' % before
        elif not fact.get('present'):
            entry['status'] = SKIPPED_MISSING
        elif scope != _keys.SCOPE_NETNS and container:
            entry['status'] = KEPT_HOST_SCOPE
            entry['reason'] = '%s is %s-scope: not restored from inside a container (it is the machine\'s)' % (
                name, scope)
        elif _same(name, before, original):
            entry['status'] = UNCHANGED
        elif not fact.get('writable'):
            entry['status'] = SKIPPED_READ_ONLY
            entry['reason'] = '%s is read-only here' % name
        else:
            entry['status'] = RESTORED
            entry['apply'] = True
            if name not in recorded:
                entry['reason'] = 'no recorded original: kernel default'
        entries.append(entry)
    tx_entries, tx_commands = [], []
    known = dict((i.get('name'), i) for i in ((facts or {}).get('interfaces') or []))
    for name, original in sorted((state.get('txqueuelen') or {}).items()):
        iface = known.get(name)
        entry = {'interface': name, 'before': iface.get('txqueuelen') if iface else None, 'wanted': original,
                 'status': None, 'reason': ''}
        if iface is None:
            entry['status'] = SKIPPED_MISSING
        elif iface.get('txqueuelen') == original:
            entry['status'] = UNCHANGED
        else:
            entry['status'] = RESTORED
            tx_commands.append(['ip', 'link', 'set', 'dev', name, 'txqueuelen', str(original)])
        tx_entries.append(entry)
    paths = sorted(set(state.get('files') or {}) | set(p for p in (
        SYSCTL_FILE, LIMITS_FILE, MANAGER_FILE, UDEV_FILE, MODPROBE_FILE, MODULES_LOAD_FILE)
        if (files.get(p) or {}).get('exists')))
    for path in files:
        if path.endswith('/90-netlimits-tcp.conf') and '.service.d/' in path and (files.get(path) or {}).get('exists'):
            paths.append(path)
        if path.startswith('/etc/systemd/network/90-netlimits-tcp-') and (files.get(path) or {}).get('exists'):
            paths.append(path)
    rc = files.get(RC_LOCAL) or {}
    if rc.get('exists') and rc.get('content') is not None and rc_local_has_block(rc['content']) \
            and RC_LOCAL not in paths:
        paths.append(RC_LOCAL)
    paths = sorted(set(paths))
    restores, removes, writes = _undo_ops(paths, host)
    if not state and any(True for dummy in paths):
        warnings.append('no state file %s: files removed, live values put to kernel defaults where known' % STATE_FILE)
    return {
        'state': 'absent',
        'sysctl': entries,
        'apply_argv': apply_argv(entries),
        'txqueuelen': {'entries': tx_entries, 'commands': tx_commands},
        'restores': restores,
        'removes': removes,
        'undo_writes': writes,
        'manager_touched': MANAGER_FILE in paths,
        'services_touched': any('.service.d/' in p for p in paths),
        'state_dirs': [STATE_DIR],
        'warnings': warnings,
        'kernel': kernel_text(facts),
        'container': container,
        'files': [], 'backups': [],
    }


# ---------------------------------------------------------------- report

def report(the_plan, facts_after=None, check_mode=False, changed_files=None, denied_interfaces=None):
    """tcp_tune_report: per key before, wanted, after, status; plus limits, systemd, txqueuelen, files, sizing."""
    out = {'state': the_plan.get('state'), 'kernel': the_plan.get('kernel'), 'sysctl': {},
           'warnings': list(the_plan.get('warnings') or []), 'check_mode': bool(check_mode)}
    for entry in the_plan.get('sysctl') or []:
        if check_mode or not facts_after:
            after = entry['wanted'] if entry.get('apply') else entry.get('before')
        else:
            fact = _sysctl_fact(facts_after, entry['key'])
            after = fact.get('value') if fact else (entry['wanted'] if entry.get('apply') else entry.get('before'))
        item = {'before': entry.get('before'), 'wanted': entry.get('wanted'), 'after': after,
                'status': entry['status']}
        for extra in ('reason', 'overridden_by', 'variable'):
            if entry.get(extra):
                item[extra] = entry[extra]
        if entry['status'] == OVERRIDDEN:
            item['live'] = entry.get('live')
        out['sysctl'][entry['key']] = item
    tx = the_plan.get('txqueuelen') or {}
    known = dict((i.get('name'), i) for i in ((facts_after or {}).get('interfaces') or []))
    out['txqueuelen'] = {}
    for entry in tx.get('entries') or []:
        name = entry['interface']
        if check_mode or name not in known:
            after = entry['wanted'] if entry['status'] in (APPLIED, RESTORED) else entry['before']
        else:
            after = known[name].get('txqueuelen')
        out['txqueuelen'][name] = {'before': entry['before'], 'wanted': entry['wanted'], 'after': after,
                                   'status': entry['status']}
        if name in (denied_interfaces or ()):
            out['txqueuelen'][name]['status'] = SKIPPED_READ_ONLY
            out['txqueuelen'][name]['reason'] = ('ip link set was not permitted here (no CAP_NET_ADMIN): '
                                                 'persisted for the next boot only')
            out['warnings'].append('txqueuelen %s: %s' % (name, out['txqueuelen'][name]['reason']))
        elif entry.get('reason'):
            out['txqueuelen'][name]['reason'] = entry['reason']
    if tx.get('method'):
        out['txqueuelen_persist'] = tx['method']
    if the_plan.get('state') == 'present':
        out['profile'] = the_plan.get('profile')
        out['sizing'] = (the_plan.get('sizing') or {}).get('lines') or []
        out['limits'] = the_plan.get('limits') or []
        out['systemd_default_nofile'] = the_plan.get('systemd_default_nofile')
    changed = set(changed_files or [])
    out['files'] = dict((w['path'], APPLIED if w['path'] in changed else UNCHANGED)
                        for w in the_plan.get('files') or [])
    for r in the_plan.get('removes') or []:
        out['files'][r] = 'removed'
    for r in the_plan.get('restores') or []:
        out['files'][r['dest']] = RESTORED
    for w in the_plan.get('undo_writes') or []:
        out['files'][w['path']] = 'block_removed' if w['path'] == RC_LOCAL else RESTORED
    counts = {}
    for item in out['sysctl'].values():
        counts[item['status']] = counts.get(item['status'], 0) + 1
    out['summary'] = counts
    return out
