# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The sysctl part of the boot model: what systemd-sysctl sets at the next boot, and from which file.

systemd-sysctl (systemd src/sysctl/sysctl.c, sysctl.d(5); shared/reference/kernel-limits.md
"Loading sysctl.d") reads the ``*.conf`` files of /etc, /run, /usr/local/lib and /usr/lib
``sysctl.d/`` (and /lib/sysctl.d on split-usr systems), all sorted by file name across the
directories (conf_files_list); a file name in an earlier directory masks the same name in later
ones, and a link to /dev/null masks it without setting anything. A later assignment wins. A ``-``
before a key ignores a failure to set it (systemd >= 243): a missing key is skipped either way.

It never reads /etc/sysctl.conf itself. Debian <= 12 ships /etc/sysctl.d/99-sysctl.conf as a link
to it, so there /etc/sysctl.conf applies at that link's place in the order (file name
99-sysctl.conf); where the link is missing (Debian 13) it does not apply at boot at all. procps'
``sysctl --system`` does read it last, but that is not what boots.

This is the one implementation of the order: the facts' provenance, the planner's ``overridden``
status and the nr_open-after-boot check all use it. Pure functions take paths or texts; the readers
take a root. Python 3.6 compatible.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.netlimits.tcp.plugins.module_utils._facts.read import (
    conf_files, exists, host_path, order_conf_paths, read_link, read_text, resolve,
)
from ansible_collections.netlimits.tcp.plugins.module_utils._formats.sysctl_conf import parse_sysctl_conf

SYSCTL_DIRS = ('/etc/sysctl.d', '/run/sysctl.d', '/usr/local/lib/sysctl.d', '/usr/lib/sysctl.d', '/lib/sysctl.d')
SYSCTL_CONF = '/etc/sysctl.conf'
DEV_NULL = '/dev/null'


def order_sysctl_files(paths):
    """Host paths in systemd-sysctl's load order (pure): same-name masking, sorted by file name.

    A path outside the sysctl.d directories (/etc/sysctl.conf itself) is not read at boot and is dropped.
    """
    dirs = set(SYSCTL_DIRS)
    return order_conf_paths([p for p in paths if p.rsplit('/', 1)[0] in dirs], SYSCTL_DIRS)


def is_masked(root, path):
    """True when path is a link to /dev/null (systemd's null_or_empty: the file masks, sets nothing)."""
    return read_link(root, path) == DEV_NULL


def sysctl_files(root, unreadable=None):
    """Host paths of the files systemd-sysctl reads under root, in load order (masks included)."""
    return order_sysctl_files(conf_files(root, [d.lstrip('/') for d in SYSCTL_DIRS], '.conf', unreadable))


def sysctl_texts(root, unreadable=None):
    """[(path, text)] in load order; a /dev/null mask gives ''."""
    return [(path, '' if is_masked(root, path) else (read_text(root, path, unreadable) or ''))
            for path in sysctl_files(root, unreadable)]


def assignments(texts):
    """Pure: [(path, text)] in load order -> {key: [{path, line, value, ignore_failure}]} in load order."""
    result = {}
    for path, text in texts:
        for entry in parse_sysctl_conf(text):
            result.setdefault(entry.name, []).append({'path': path, 'line': entry.line, 'value': entry.value,
                                                      'ignore_failure': entry.ignore_failure})
    return result


def sysctl_conf_at_boot(root, paths):
    """{exists, read_at_boot, through}: whether /etc/sysctl.conf applies at boot, and through which link.

    paths: the load order of sysctl_files(). It applies only through a sysctl.d file that links to it.
    """
    found = exists(root, SYSCTL_CONF)
    through = None
    for path in paths:
        if read_link(root, path) and host_path(resolve(root, path)) == SYSCTL_CONF:
            through = path
    return {'exists': found, 'read_at_boot': bool(found and through), 'through': through}


def value_at_boot(setters, present_at_boot=True):
    """Pure: the assignment systemd-sysctl leaves in effect for one key, or None.

    setters: the key's assignments in load order. present_at_boot False: the key does not exist
    when systemd-sysctl runs (a module loaded later), so no assignment applies.
    """
    if not setters or not present_at_boot:
        return None
    return setters[-1]


def boot_sysctl(root, unreadable=None):
    """{files, assignments, sysctl_conf} of the sysctl files under root (the readers' half of the model)."""
    texts = sysctl_texts(root, unreadable)
    paths = [path for path, dummy in texts]
    return {
        'files': paths,
        'assignments': assignments(texts),
        'sysctl_conf': sysctl_conf_at_boot(root, paths),
    }
