# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which sysctl.d file sets a key, and which one wins at boot.

The load order is the boot model's (_facts/boot_sysctl.py: systemd-sysctl's, sysctl.d(5)):
``*.conf`` of the sysctl.d directories by file name, same-name masking, /dev/null masks. There is
no "/etc/sysctl.conf last": systemd-sysctl never reads it; it counts only through Debian's
/etc/sysctl.d/99-sysctl.conf link, under that link's name and place.

order_sysctl_files() and overridden_by() are pure: the role planner calls them to tell whether
the file it renders would be overridden, and by which file. Python 3.6 compatible.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.netlimits.tcp.plugins.module_utils._facts.boot_sysctl import order_sysctl_files, sysctl_texts
from ansible_collections.netlimits.tcp.plugins.module_utils._formats.sysctl_conf import parse_sysctl_conf


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
    """{name: {files, winner}} for names, from the files systemd-sysctl reads under root."""
    return provenance_from(sysctl_texts(root, unreadable), names)


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
