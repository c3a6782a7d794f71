# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which sysctl.d file sets a key, and which one wins.

Load order (systemd-sysctl, and procps ``sysctl --system`` after it):
all ``*.conf`` files of SYSCTL_DIRS sorted by basename, a basename in an
earlier directory masking the same basename in later ones (etc > run >
usr/local/lib > usr/lib > lib); then /etc/sysctl.conf, which procps reads
last. A later assignment wins. A symlink counts under its own basename
(Debian's /etc/sysctl.d/99-sysctl.conf -> ../sysctl.conf), so a key in
/etc/sysctl.conf shows up twice and /etc/sysctl.conf wins.

Files are read with _sysctl_conf.parse_sysctl_conf(), the parser the
planner uses too. order_sysctl_files() and overridden_by() are pure: the role planner calls
them to tell whether the file it renders would be overridden, and by which
file. Python 3.6 compatible.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.netlimits.tcp.plugins.module_utils._facts.read import (
    conf_files, exists, order_conf_paths, read_text,
)
from ansible_collections.netlimits.tcp.plugins.module_utils._formats.sysctl_conf import parse_sysctl_conf

SYSCTL_DIRS = ('/etc/sysctl.d', '/run/sysctl.d', '/usr/local/lib/sysctl.d', '/usr/lib/sysctl.d', '/lib/sysctl.d')
SYSCTL_CONF = '/etc/sysctl.conf'


def order_sysctl_files(paths):
    """Host paths of sysctl files in load order (pure): masking, basename sort, /etc/sysctl.conf last."""
    tail = [p for p in paths if p == SYSCTL_CONF]
    dropins = [p for p in paths if p != SYSCTL_CONF]
    return order_conf_paths(dropins, SYSCTL_DIRS) + tail[:1]


def sysctl_files(root, unreadable=None):
    """Host paths of the sysctl files under root, in load order."""
    paths = conf_files(root, [d.lstrip('/') for d in SYSCTL_DIRS], '.conf', unreadable)
    if exists(root, SYSCTL_CONF):
        paths.append(SYSCTL_CONF)
    return order_sysctl_files(paths)


def provenance_from(texts, names):
    """Pure: texts is [(path, text)] in load order -> {name: {files: [{path, line, value}], winner}}."""
    result = dict((name, {'files': [], 'winner': None}) for name in names)
    for path, text in texts:
        for entry in parse_sysctl_conf(text):
            if entry.name in result:
                result[entry.name]['files'].append({'path': path, 'line': entry.line, 'value': entry.value})
                result[entry.name]['winner'] = path
    return result


def provenance(root, names, unreadable=None):
    """{name: {files, winner}} for names, from the sysctl files under root."""
    texts = [(path, read_text(root, path, unreadable)) for path in sysctl_files(root, unreadable)]
    return provenance_from(texts, names)


def overridden_by(entry, path):
    """The file that beats path for one provenance entry, or None when path wins or does not set the key (pure)."""
    winner = entry.get('winner')
    if winner is None or winner == path:
        return None
    if not any(f['path'] == path for f in entry.get('files', ())):
        return None
    return winner


def would_be_overridden_by(entry, path):
    """For a file not written yet: the existing file that would still beat path for this key, or None (pure).

    Orders path among the files that set the key and returns the last one
    after it.
    """
    setters = [f['path'] for f in entry.get('files', ()) if f['path'] != path]
    order = order_sysctl_files(setters + [path])
    if path not in order:  # a same-named file earlier in the search path masks path
        base = path.rsplit('/', 1)[1]
        return [p for p in order if p.rsplit('/', 1)[1] == base][0]
    later = order[order.index(path) + 1:]
    return later[-1] if later else None
