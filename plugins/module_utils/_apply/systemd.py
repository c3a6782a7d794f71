# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The systemctl calls a change needs, and the record of those a run still owes.

systemd_commands() maps changed paths to daemon-reexec (system.conf.d),
daemon-reload (unit drop-ins, rc.local's generator) and try-restart;
PENDING_FILE keeps them from before the first managed write until they all
succeeded, so that a run stopped part way leaves them to the next. Python 3.6
compatible.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os

from ansible_collections.netlimits.tcp.plugins.module_utils._common import paths as _paths
from ansible_collections.netlimits.tcp.plugins.module_utils._apply.files import ApplyError, Outcome, backup_summary, put_file
from ansible_collections.netlimits.tcp.plugins.module_utils._common.content import decode
from ansible_collections.netlimits.tcp.plugins.module_utils._facts.read import join, read_bytes
from ansible_collections.netlimits.tcp.plugins.module_utils._plan.metrics import metrics_commands, metrics_pending_ok

# systemctl calls still owed by a run that stopped before making them: files already written would
# not be "changed" on the next run, so the calls are recorded here first and removed once done.
PENDING_FILE = _paths.STATE_DIR + '/systemd-pending.json'
# try-restart: a service that is stopped stays stopped (restart would start it). stop, restart and start:
# the metrics timer of tcp_tune_metrics (_plan/metrics.py); stop first, while the unit is still loaded.
SYSTEMCTL_ORDER = ('stop', 'daemon-reexec', 'daemon-reload', 'try-restart', 'restart', 'start')
# `systemctl stop` of a unit that is not loaded (rc 5, LSB "not installed") leaves it stopped: done.
STOP_NOT_LOADED = 5


def systemd_commands(the_plan, changed_files):
    """argv lists of the systemctl calls the changed paths need, in order.

    system.conf.d is read only when the manager re-executes; unit drop-ins and
    rc.local (through its generator) need a daemon-reload.
    """
    changed = set(p for p in changed_files if p.startswith('/etc/'))
    commands = []
    if _paths.MANAGER_FILE in changed:
        commands.append(['systemctl', 'daemon-reexec'])
    if any(_paths.needs_daemon_reload(p) for p in changed):
        commands.append(['systemctl', 'daemon-reload'])
    if the_plan.get('restart_services') and changed & set(the_plan.get('service_files') or []):
        commands.extend(['systemctl', 'try-restart', unit + '.service'] for unit in the_plan.get('services') or [])
    commands.extend(metrics_commands(the_plan, changed_files))
    return commands


def read_pending(root, the_plan):
    """The systemctl calls an earlier run owes, as far as they still apply.

    Only the calls of SYSTEMCTL_ORDER are taken. A restart is owed only while the
    plan still restarts that unit (a mistyped unit a later run corrected is
    dropped), and a revert owes no restart at all. A file that is not a JSON list
    of argv lists fails a present run with a message naming it; a revert ignores it
    (it removes the state directory anyway).
    """
    text = decode(read_bytes(root, PENDING_FILE))
    if text is None:
        return []
    try:
        commands = json.loads(text)
        if not isinstance(commands, list) or not all(
                isinstance(c, list) and all(isinstance(a, str) for a in c) for c in commands):
            raise ValueError('not a list of argv lists')
    except ValueError as exc:
        if the_plan['state'] == 'absent':
            return []
        raise ApplyError('%s is corrupt (%s): it records the systemctl calls an interrupted run still owes; '
                         'run `systemctl daemon-reload` (and daemon-reexec when system.conf.d changed), then '
                         'delete the file' % (PENDING_FILE, exc))
    restarts = set() if the_plan['state'] == 'absent' else set(
        unit + '.service' for unit in (the_plan.get('services') or []) if the_plan.get('restart_services'))
    return [c for c in commands if len(c) > 1 and c[0] == 'systemctl' and c[1] in SYSTEMCTL_ORDER
            and (c[1] != 'try-restart' or (len(c) == 3 and c[2] in restarts)) and metrics_pending_ok(the_plan, c)]


def merge_commands(commands, pending):
    merged = list(commands)
    merged.extend(c for c in pending if c not in merged)
    merged.sort(key=lambda c: SYSTEMCTL_ORDER.index(c[1]))
    return merged


def record_pending(root, commands, out):
    """Write the calls owed to PENDING_FILE (atomically) before the writes that make them owed."""
    if out.check_mode or not commands or not os.path.isdir(join(root, _paths.STATE_DIR)):
        return
    data = json.dumps(commands).encode('utf-8')
    if read_bytes(root, PENDING_FILE) != data:
        put_file(root, PENDING_FILE, data, 0o644, Outcome(False, out.keep_context), summary=backup_summary)


def run_systemd(root, commands, run, out):
    """Run the systemctl argv lists in order; PENDING_FILE keeps them until they all succeeded."""
    if not commands:
        return
    out.systemd.extend(' '.join(argv) for argv in commands)
    if out.check_mode:
        return
    record_pending(root, commands, out)
    for argv in commands:
        rc, dummy, err = run(argv)
        if rc != 0 and not (argv[1] == 'stop' and rc == STOP_NOT_LOADED):
            raise ApplyError('%s failed (rc %s): %s; the next run tries again' % (' '.join(argv), rc, (err or '').strip()),
                             out.changed, out.live + out.changed_files)
    if os.path.lexists(join(root, PENDING_FILE)):
        os.unlink(join(root, PENDING_FILE))
