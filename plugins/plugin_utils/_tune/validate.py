# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The role's variables, checked once, on the controller, before any remote call.

roles/tcp_tune/meta/argument_specs.yml is the one list of the variables: ansible-core checks the
role's input against it at role start (its generated "Validating arguments against arg spec"
task: names, types, choices). This file reads the same YAML for the names, types, defaults and
choices (no generated copy shipped to hosts), fills the defaults, coerces the forms a person
writes ('4096', 'yes'), and checks every rule the spec cannot express: ranges, patterns,
templates, the profiles' data, rules between variables. The action plugin tcp_tune_apply runs it
before the module's plan step, so bad input fails naming the variable and what is allowed before
anything on a host is read or changed. What needs the host's facts (the port range against
net.ipv4.ip_unprivileged_port_start, nofile against fs.nr_open) stays in _plan on the host.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re

import yaml

from ansible_collections.netlimits.tcp.plugins.module_utils._common import keys as _keys
from ansible_collections.netlimits.tcp.plugins.module_utils._common import paths as _paths
from ansible_collections.netlimits.tcp.plugins.module_utils._common.paths import SERVICE_NAME_RULE, is_service_name
from ansible_collections.netlimits.tcp.plugins.module_utils._plan.metrics import metrics_errors
from ansible_collections.netlimits.tcp.plugins.module_utils._common.values import coerce_bool, coerce_int, is_blank, is_int, parse_port_set
from ansible_collections.netlimits.tcp.plugins.module_utils._plan.inputs import IFNAME, NO_PROFILE, PlanError, SYSCTL_BAD
from ansible_collections.netlimits.tcp.plugins.module_utils._plan.values import PREFIX, format_value, var

SPECS = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))),
                     'roles', 'tcp_tune', 'meta', 'argument_specs.yml')


def load_specs(path=SPECS):
    """(PARAMS, DEFAULTS, CHOICES) by short name from the role's argument specs ('main' entry point)."""
    with open(path) as handle:
        options = yaml.safe_load(handle)['argument_specs']['main']['options']
    names = [name for name in options if name.startswith(PREFIX)]
    params = dict((name[len(PREFIX):], options[name].get('type', 'str')) for name in names)
    defaults = dict((name[len(PREFIX):], options[name]['default']) for name in names
                    if options[name].get('default') is not None)
    choices = dict((name[len(PREFIX):], tuple(options[name]['choices'])) for name in names
                   if options[name].get('choices'))
    return params, defaults, choices


PARAMS, DEFAULTS, CHOICES = load_specs()
MANAGED_HEADER = DEFAULTS['managed_header']     # tcp_tune_managed_header's default

# tcp_tune_* names that are not role inputs: the role's output.
NOT_PARAMS = ('report',)
TXQUEUELEN_MAX = 100000         # larger queues only add latency (bufferbloat)

# Whole-string patterns: \Z, not $, which also matches before a trailing newline ('nginx\n').
_SYSCTL_NAME = re.compile(r'\A[A-Za-z0-9_+@][A-Za-z0-9_+@-]*(\.[A-Za-z0-9_+@-]+)+\Z')
# Control characters (C0, DEL, C1) and the Unicode line and paragraph separators. Each of \x0b, \x0c,
# \x1c-\x1e, \x85, \u2028 and \u2029 is a line break to str.splitlines(), and NUL ends a C string: in a
# value they would become extra lines (or a cut line) of the files the role writes for systemd-sysctl.
_CONTROL = re.compile(u'[\x00-\x1f\x7f-\x9f\u2028\u2029]')
# The same without the tab, which values may hold (/proc/sys shows lists tab-separated; systemd-sysctl and
# procps take it as a space).
_VALUE_CONTROL = re.compile(u'[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029]')


def checked_variables(variables, profiles=None):
    """({'tcp_tune_x': value} for every variable, defaults filled and forms coerced, [warnings]).

    Raises PlanError naming every bad variable and what is allowed.
    """
    params, warnings = normalize_params(variables)
    validate(params, profiles)
    return dict((var(short), value) for short, value in params.items()), warnings


# ---------------------------------------------------------------- profiles

def _profile_errors(params, profiles):
    """Errors for the profile: unknown name, profiles not given, or a malformed entry of the chosen one."""
    name = params['profile']
    if profiles is None:
        if params['state'] == 'absent' or name == NO_PROFILE:
            return []   # revert reads no profile; none sets nothing
        return ['%s=%s needs the profiles, which the role netlimits.tcp.tcp_tune passes to its module (option '
                'profiles, from its vars/main.yml): run the role, or give profiles, or %s=%s'
                % (var('profile'), name, var('profile'), NO_PROFILE)]
    if not isinstance(profiles, dict) or not isinstance(name, str) or name not in profiles:
        return ['%s must be one of %s, got %r' % (var('profile'), ', '.join(sorted(profiles or {})), name)]
    settings = (profiles[name] or {}).get('settings') if isinstance(profiles[name], dict) else None
    if not isinstance(settings, dict):
        return ['profiles[%s] must be a dict with settings: {variable: {value, why}}, got %r' % (name, profiles[name])]
    errors = []
    for short, entry in settings.items():
        if short not in PARAMS:
            errors.append('profiles[%s]: %s is not a variable of netlimits.tcp.tcp_tune' % (name, short))
        elif not isinstance(entry, dict) or 'value' not in entry:
            errors.append('profiles[%s][%s] must be {value, why}, got %r' % (name, short, entry))
    return errors


# ---------------------------------------------------------------- params

def normalize_params(raw):
    """{'tcp_tune_x': v} (or short names) -> ({short: value}, [warnings]); defaults filled, types coerced as
    argument_specs.yml types them; an unknown name is a warning (a typo), not an error."""
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
        if is_blank(value) and kind != 'dict':
            value = DEFAULTS.get(short)
        elif kind == 'int':
            value = coerce_int(value)
        elif kind == 'bool':
            # 0 and 1 are booleans (as Ansible's bool type has it); 2 or 1.5 stay as given and fail validation
            value = value if is_int(value) and value not in (0, 1) else coerce_bool(value)
        elif kind == 'dict' and value is None:
            value = {}
        elif kind == 'list' and isinstance(value, tuple):
            value = list(value)
        elif kind == 'float' and isinstance(value, str):
            try:
                value = float(value)
            except ValueError:
                pass
        elif short in ('nofile', 'nofile_soft'):
            value = coerce_int(value)
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
    if not is_int(value) or (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        errors.append('%s must be %s, got %r' % (var(short), what or _allowed_int(minimum, maximum), value))


def validate(params, profiles=None):
    """Every rule of the variables that needs no host: raises PlanError listing all the errors.

    params: normalize_params()'s (coerced in place: the port range, reserved ports, tw_reuse).
    profiles: the role's profiles; None when not given.
    """
    errors = []
    p = params
    for short in ('state', 'txqueuelen_persist'):
        if p[short] not in CHOICES[short]:
            errors.append('%s must be one of %s, got %r' % (var(short), ', '.join(CHOICES[short]), p[short]))
    errors.extend(_profile_errors(p, profiles))
    for short in ('reserve_listening_ports', 'tw_recycle', 'conntrack_load', 'restart_services', 'raise_only'):
        if p[short] is not None and not isinstance(p[short], bool):
            errors.append('%s must be true or false, got %r' % (var(short), p[short]))
    _check_int(errors, 'target_connections', p['target_connections'], 1)
    rate = p['target_outbound_rate']
    if rate is not None and (isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0 < rate < float('inf')):
        errors.append('%s must be a finite number > 0 (new connections per second), got %r'
                      % (var('target_outbound_rate'), rate))

    rng = p['local_port_range']
    if rng is not None:
        if not isinstance(rng, list) or len(rng) != 2 or not all(is_int(coerce_int(x)) for x in rng):
            errors.append('%s must be two integers [low, high], got %r' % (var('local_port_range'), rng))
        else:
            lo, hi = (coerce_int(x) for x in rng)
            p['local_port_range'] = [lo, hi]
            if lo > hi:
                errors.append('%s: low (%d) must not be above high (%d)' % (var('local_port_range'), lo, hi))
            if hi > 65535 or lo < 1:
                errors.append('%s must stay within 1..65535, got %r' % (var('local_port_range'), rng))
    if p['reserved_ports'] is not None:
        try:
            p['reserved_ports'] = parse_port_set(p['reserved_ports'])
        except (ValueError, TypeError) as exc:
            errors.append('%s: %s' % (var('reserved_ports'), exc))
    tw = p['tw_reuse']
    if isinstance(tw, bool):
        p['tw_reuse'] = tw = int(tw)
    _check_int(errors, 'tw_reuse', tw, 0, 2, 'one of 0 (off), 1 (on), 2 (loopback only)')
    # The key table's bound: INT_MAX // 1000, as proc_dointvec_jiffies refuses more than INT_MAX / HZ (_keys).
    _check_int(errors, 'fin_timeout', p['fin_timeout'], 1, _keys.BY_NAME['net.ipv4.tcp_fin_timeout'].maximum)
    for short in ('somaxconn', 'max_syn_backlog', 'netdev_max_backlog', 'max_orphans', 'orphan_retries',
                  'conntrack_max', 'file_max', 'nr_open'):
        key = _keys.BY_VARIABLE.get(var(short))
        maximum = key.maximum if key else None
        if maximum is None:
            maximum = 2 ** 63 - 1   # LONG_MAX: fs.file-max is an unsigned long the kernel caps there
        _check_int(errors, short, p[short], key.minimum if key else 1, maximum)
    _check_int(errors, 'systemd_default_nofile', p['systemd_default_nofile'], 1, what='an integer from 1 to fs.nr_open')
    _check_int(errors, 'systemd_default_nofile_soft', p['systemd_default_nofile_soft'], 1,
               what='an integer from 1 to the hard limit (tcp_tune_systemd_default_nofile)')
    _check_int(errors, 'txqueuelen', p['txqueuelen'], 0, TXQUEUELEN_MAX)

    for short in ('nofile', 'nofile_soft'):
        value = p[short]
        if isinstance(value, str) and value.strip().lower() in ('unlimited', 'infinity', '-1'):
            errors.append('%s must be an integer from 1 to fs.nr_open, not %r: the role always writes an integer. '
                          '(An unlimited nofile makes pam_limits fail and logins be refused with Linux-PAM before '
                          'the fs.nr_open mapping, e.g. Debian 11\'s 1.4.0; Debian 12\'s 1.5.2 maps it to fs.nr_open.)'
                          % (var(short), value))
        else:
            _check_int(errors, short, value, 1, what='an integer from 1 to fs.nr_open')
    if is_int(p['nofile']) and is_int(p['nofile_soft']) and p['nofile_soft'] > p['nofile']:
        errors.append('%s (%d) must not be above %s (%d)' % (var('nofile_soft'), p['nofile_soft'],
                                                             var('nofile'), p['nofile']))
    if is_int(p['systemd_default_nofile']) and is_int(p['systemd_default_nofile_soft']) \
            and p['systemd_default_nofile_soft'] > p['systemd_default_nofile']:
        errors.append('%s (%d) must not be above %s (%d)' % (
            var('systemd_default_nofile_soft'), p['systemd_default_nofile_soft'],
            var('systemd_default_nofile'), p['systemd_default_nofile']))
    domains = p['limits_domains']
    if not isinstance(domains, list) or not domains:
        errors.append('%s must be a non-empty list of limits.conf domains (user, @group, *), got %r'
                      % (var('limits_domains'), domains))
    else:
        for domain in domains:
            if not isinstance(domain, str) or not domain or re.search(r'\s', domain) or '#' in domain \
                    or _CONTROL.search(domain):
                errors.append('%s: %r is not a limits.conf domain (no whitespace, no control characters, no #, '
                              'not empty)' % (var('limits_domains'), domain))
    services = p['service_nofile']
    if not isinstance(services, dict):
        errors.append('%s must be a dict of service name to nofile, got %r' % (var('service_nofile'), services))
    else:
        for name, value in services.items():
            if not is_service_name(name):
                errors.append('%s: %r is not %s' % (var('service_nofile'), name, SERVICE_NAME_RULE))
            if not is_int(coerce_int(value)) or coerce_int(value) < 1:
                errors.append('%s[%s] must be an integer from 1 to fs.nr_open, got %r' % (var('service_nofile'), name, value))
    listening = p['listening_services_nofile']
    if listening is not None and (not is_int(coerce_int(listening)) or coerce_int(listening) < 1):
        errors.append('%s must be an integer from 1 to fs.nr_open (or null: off), got %r'
                      % (var('listening_services_nofile'), listening))
    excluded = p['listening_services_exclude']
    if not isinstance(excluded, list):
        errors.append('%s must be a list of service names, got %r' % (var('listening_services_exclude'), excluded))
    else:
        for name in excluded:
            if not is_service_name(name):
                errors.append('%s: %r is not %s' % (var('listening_services_exclude'), name, SERVICE_NAME_RULE))

    ifaces = p['interfaces']
    if ifaces != 'physical':
        if not isinstance(ifaces, list):
            errors.append('%s must be "physical" or a list of interface names, got %r' % (var('interfaces'), ifaces))
        else:
            for name in ifaces:
                if not isinstance(name, str) or not IFNAME.match(name) or name in ('.', '..'):
                    errors.append('%s: %r is not an interface name (1..15 characters of A-Z a-z 0-9 _ . + -; '
                                  'no "/", whitespace or shell characters)' % (var('interfaces'), name))
    extra = p['sysctl']
    if not isinstance(extra, dict):
        errors.append('%s must be a dict of sysctl key to value, got %r' % (var('sysctl'), extra))
    else:
        for name, value in extra.items():
            if not isinstance(name, str) or SYSCTL_BAD.search(name) or _CONTROL.search(name) \
                    or not _SYSCTL_NAME.match(name):
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
            if text is None or not text.strip() or _VALUE_CONTROL.search(text):
                errors.append('%s[%s]: value %r is not allowed: a number, text or list of numbers (not null or '
                              'empty; no newlines or other control characters, no Unicode line separators)'
                              % (var('sysctl'), name, value))
                continue
            if key is not None and key.value_type == _keys.TYPE_INT:
                _check_int(errors, 'sysctl[%s]' % name, coerce_int(value), key.minimum, key.maximum)
            elif key is not None and key.value_type == _keys.TYPE_INT_LIST:
                ints = [coerce_int(v) for v in text.split()]
                if not all(is_int(i) and (key.minimum is None or i >= key.minimum)
                           and (key.maximum is None or i <= key.maximum) for i in ints):
                    errors.append('%s[%s] must be a list of numbers, each %s, got %r' % (
                        var('sysctl'), name, _allowed_int(key.minimum, key.maximum), value))
    _check_templates(errors, p)
    errors.extend(metrics_errors(p))
    if errors:
        raise PlanError(errors)


def _check_templates(errors, p):
    """tcp_tune_managed_header and tcp_tune_templates (rendered on the controller; checked here, once)."""
    header = p['managed_header']
    if not isinstance(header, str) or not header.strip() or _CONTROL.search(header) \
            or _paths.OWNER_MARK not in header:
        errors.append('%s must be one line of text that names %s (without a state file, the role knows its own '
                      'files by it), got %r' % (var('managed_header'), _paths.OWNER_MARK, header))
    templates = p['templates']
    if not isinstance(templates, dict):
        errors.append('%s must be a dict of template name to the path of a site template, got %r'
                      % (var('templates'), templates))
        return
    for name, path in sorted(templates.items(), key=lambda item: str(item[0])):
        if name not in _paths.TEMPLATES:
            errors.append('%s: %r is not a template of the role; one of %s'
                          % (var('templates'), name, ', '.join(_paths.TEMPLATES)))
        elif not isinstance(path, str) or not path.strip() or _CONTROL.search(path):
            errors.append('%s[%s] must be the path of a template (one line of text), got %r'
                          % (var('templates'), name, path))
