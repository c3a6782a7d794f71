# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""tcp_tune_metrics: the files of the metrics timer as managed files, and the systemctl calls they need.

With tcp_tune_metrics: true the role installs, as managed files like any other (planned here, rendered
from roles/tcp_tune/templates on the controller, written, recorded and undone by the same code):
the collection's facts code (METRICS_MODULES, copied from the controller's collection under
_paths.METRICS_LIB_DIR), a script that runs it and writes netlimits_tcp.prom into
tcp_tune_metrics_dir for node_exporter's textfile collector, a oneshot service, a timer, and a
drop-in of timers.target that pulls the timer in at boot. The .prom file is the script's output,
not a managed file: it starts with the role's header, and revert (or tcp_tune_metrics: false)
removes it when it does. Pure; Python 3.6 compatible.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.netlimits.tcp.plugins.module_utils._common import paths as _paths
from ansible_collections.netlimits.tcp.plugins.module_utils._common.values import is_int
from ansible_collections.netlimits.tcp.plugins.module_utils._plan.values import var

# What the script imports, with everything they import (plugins/module_utils/, relative): the unit test
# test_metrics_modules_are_the_import_closure fails when an import is added and this list is not.
METRICS_MODULES = (
    '_common/__init__.py', '_common/keys.py', '_common/paths.py', '_common/status.py', '_common/values.py',
    '_facts/__init__.py', '_facts/boot.py', '_facts/boot_conntrack.py', '_facts/boot_nofile.py',
    '_facts/boot_sysctl.py', '_facts/boot_txqueuelen.py', '_facts/destinations.py', '_facts/files.py',
    '_facts/finding.py', '_facts/findings.py', '_facts/findings_boot.py', '_facts/gather.py', '_facts/inet_diag.py',
    '_facts/kernel.py', '_facts/net.py', '_facts/pam.py', '_facts/persistence.py', '_facts/prometheus.py',
    '_facts/provenance.py', '_facts/read.py', '_facts/service_findings.py', '_facts/services.py',
    '_facts/sockets.py', '_facts/sysctl.py',
    '_formats/__init__.py', '_formats/limits_conf.py', '_formats/rc_local.py', '_formats/sysctl_conf.py',
    '_formats/systemd_link.py',
)
# The modules the script itself imports (the roots of METRICS_MODULES).
METRICS_ENTRY = ('_facts/gather.py', '_facts/destinations.py', '_facts/prometheus.py')
PACKAGE_DIR = _paths.METRICS_LIB_DIR + '/ansible_collections/netlimits/tcp/plugins/module_utils'
OUTPUT_NAME = 'netlimits_tcp.prom'
INTERVAL_MIN, INTERVAL_MAX = 10, 86400
# tcp_tune_metrics_dir goes into the unit's ExecStart= and the script: an absolute path of plain characters.
_DIR = re.compile(r'\A(/[A-Za-z0-9_.@+-]+)+/?\Z')


def module_path(rel):
    return PACKAGE_DIR + '/' + rel


def metrics_paths():
    """Every managed path of tcp_tune_metrics (stat'ed before planning, undone by a revert)."""
    return [module_path(rel) for rel in METRICS_MODULES] + [_paths.METRICS_SCRIPT] + list(_paths.METRICS_UNIT_FILES)


def output_path(params):
    return (params.get('metrics_dir') or '').rstrip('/') + '/' + OUTPUT_NAME


def metrics_errors(params):
    """Errors of tcp_tune_metrics, tcp_tune_metrics_dir and tcp_tune_metrics_interval (validate())."""
    errors = []
    if not isinstance(params.get('metrics'), bool):
        errors.append('%s must be true or false, got %r' % (var('metrics'), params.get('metrics')))
    directory = params.get('metrics_dir')
    if not isinstance(directory, str) or not _DIR.match(directory) or '/../' in directory + '/' \
            or '/./' in directory + '/':
        errors.append('%s must be an absolute directory path of letters, digits and "_.@+-" (node_exporter\'s '
                      '--collector.textfile.directory), got %r' % (var('metrics_dir'), directory))
    interval = params.get('metrics_interval')
    if not is_int(interval) or not INTERVAL_MIN <= interval <= INTERVAL_MAX:
        errors.append('%s must be an integer from %d to %d (seconds between two runs), got %r'
                      % (var('metrics_interval'), INTERVAL_MIN, INTERVAL_MAX, interval))
    return errors


def plan_metrics(params, host, facts=None):
    """{path: file_spec} of the metrics files (empty when tcp_tune_metrics is false), and warnings."""
    if params.get('state') != 'present' or not params.get('metrics'):
        return {}, []
    host = host or {}
    python = host.get('python') or '/usr/bin/python3'
    directory = (params.get('metrics_dir') or '').rstrip('/') or '/'
    files = {}
    for rel in METRICS_MODULES:
        files[module_path(rel)] = spec(_paths.TEMPLATE_METRICS_MODULE, {'module': rel})
    files[_paths.METRICS_SCRIPT] = spec(_paths.TEMPLATE_METRICS_SCRIPT, {'output': output_path(params)})
    files[_paths.METRICS_SERVICE] = spec(_paths.TEMPLATE_METRICS_SERVICE, {
        'python': python, 'script': _paths.METRICS_SCRIPT, 'output': output_path(params), 'directory': directory})
    files[_paths.METRICS_TIMER] = spec(_paths.TEMPLATE_METRICS_TIMER, {
        'unit': _paths.METRICS_UNIT, 'interval': params['metrics_interval']})
    files[_paths.METRICS_WANTS] = spec(_paths.TEMPLATE_METRICS_WANTS, {'timer': _paths.METRICS_UNIT + '.timer'})
    warnings = []
    if facts is not None and ((facts.get('files') or {}).get('systemd_default_nofile')) is None:
        warnings.append('metrics: systemd is not the init system here, so its timer never runs: the files are '
                        'installed; run %s from cron or the init system instead' % _paths.METRICS_SCRIPT)
    if not (host.get('metrics') or {}).get('dir_exists', True):
        warnings.append('metrics: %s does not exist (node_exporter\'s textfile directory; Debian\'s '
                        'prometheus-node-exporter creates it): the timer writes nothing until it does (%s)'
                        % (directory, var('metrics_dir')))
    return files, warnings


def spec(template, model, mode='0644'):
    return {'template': template, 'model': model, 'mode': mode}


def metrics_removes(params, host):
    """The .prom file to remove (when it is ours) once tcp_tune_metrics is off or the role reverts."""
    if params.get('state') == 'present' and params.get('metrics'):
        return []
    output = (host or {}).get('metrics') or {}
    return [output['output']] if output.get('output_ours') else []


def metrics_summary(params, host):
    """The plan's 'metrics' entry: whether the timer runs and the service runs once now (systemd_commands)."""
    on = params.get('state') == 'present' and bool(params.get('metrics'))
    return {'on': on, 'run_now': on and bool(((host or {}).get('metrics') or {}).get('dir_exists', True))}


def metrics_commands(the_plan, changed):
    """systemctl calls the metrics files need, after daemon-reload: stop when they went, restart and run when they changed.

    The timer is restarted (started when it was not running) so that a new interval takes effect; the
    service runs once right away so that the .prom file exists before the first interval. A timer whose
    files were removed is stopped (it stays loaded, and would fire, until then).
    """
    ours = set(p for p in changed if _paths.is_metrics_path(p))
    if not ours:
        return []
    metrics = the_plan.get('metrics') or {}
    unit = _paths.METRICS_UNIT
    if not metrics.get('on'):
        return [['systemctl', 'stop', unit + '.timer']] if ours & set(_paths.METRICS_UNIT_FILES) else []
    commands = [['systemctl', 'restart', unit + '.timer']]
    if metrics.get('run_now'):
        commands.append(['systemctl', 'start', unit + '.service'])
    return commands


def metrics_pending_ok(the_plan, argv):
    """Whether an owed call of an interrupted run still applies: no start or restart once metrics are off."""
    return argv[1] not in ('start', 'restart') or bool((the_plan.get('metrics') or {}).get('on'))


def read_metrics(root, params, file_info, read_bytes):
    """The host readings of tcp_tune_metrics: the textfile directory exists, the .prom file there is ours."""
    params = params or {}
    directory = params.get('metrics_dir')
    if not isinstance(directory, str) or not _DIR.match(directory) or '/..' in directory:
        # read before validation: an unusable directory is not looked at (validate() names the variable)
        return {'dir_exists': False, 'output': None, 'output_ours': False}
    output = output_path(params)
    data = read_bytes(root, output)
    text = data.decode('utf-8', 'replace') if data is not None else None
    return {'dir_exists': file_info(root, params['metrics_dir'])['exists'], 'output': output,
            'output_ours': _paths.is_ours(text)}
