# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which pam_limits the host has, for what a `nofile unlimited` line does at login.

pam_limits turns `unlimited` (`infinity`, `-1`) into RLIM_INFINITY. Newer
Linux-PAM maps it, for nofile only, to the value of /proc/sys/fs/nr_open, and
setrlimit() succeeds; older ones pass RLIM_INFINITY on, setrlimit() fails with
EPERM (it is above fs.nr_open) and the session is refused: logins fail.
Checked in Debian's packages: libpam-modules 1.5.2 (Debian 12) and the one of
Debian 13 contain the string "/proc/sys/fs/nr_open" in pam_limits.so,
1.4.0 (Debian 11) does not (shared/reference/kernel-limits.md, "PAM and
limits.conf").

So the reader looks for that string in the module itself rather than for a
package version: it works on any distribution (dpkg, rpm or none) and tells
what the code that runs does. Cost: one listing of lib/ and usr/lib/ (for the
multiarch directories) and one read of a file of some 20-40 KB.

Python 3.6 compatible.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from ansible_collections.netlimits.tcp.plugins.module_utils._facts.read import (
    host_path, join, list_dir, read_bytes,
)

MODULE = 'pam_limits.so'
NR_OPEN_MARKER = b'/proc/sys/fs/nr_open'
READ_LIMIT = 4 * 1024 * 1024   # pam_limits.so is tens of KB; never read more than this

# Directories that hold PAM modules, in the order they are tried: the Debian/Ubuntu multiarch ones
# (lib/<triplet>/security, usr/lib/<triplet>/security) first, then RHEL/SUSE/Arch and plain layouts.
_MULTIARCH_PARENTS = ('usr/lib', 'lib')
_PLAIN_DIRS = ('usr/lib64/security', 'lib64/security', 'usr/lib/security', 'lib/security')


def candidates(root, unreadable=None):
    """Paths relative to root where pam_limits.so may be, most likely first."""
    rels = []
    for parent in _MULTIARCH_PARENTS:
        for name in list_dir(root, parent, unreadable):
            if '-linux-' in name:   # x86_64-linux-gnu, aarch64-linux-gnu, arm-linux-gnueabihf, ...
                rels.append('%s/%s/security/%s' % (parent, name, MODULE))
    rels.extend('%s/%s' % (d, MODULE) for d in _PLAIN_DIRS)
    return rels


def pam_limits(root, unreadable=None):
    """{path, unlimited_nofile_is_nr_open} of the first pam_limits.so found under root.

    unlimited_nofile_is_nr_open: True when the module maps an unlimited nofile
    to fs.nr_open (logins work), False when it does not (logins fail), None
    when no pam_limits.so was found or it could not be read.
    """
    seen = set()
    for rel in candidates(root, unreadable):
        real = os.path.realpath(join(root, rel))
        if real in seen:   # merged /usr: lib -> usr/lib
            continue
        seen.add(real)
        data = read_bytes(root, rel, unreadable, READ_LIMIT)
        if data is None:
            if os.path.lexists(join(root, rel)):
                return {'path': host_path(rel), 'unlimited_nofile_is_nr_open': None}
            continue
        return {'path': host_path(rel), 'unlimited_nofile_is_nr_open': NR_OPEN_MARKER in data}
    return {'path': None, 'unlimited_nofile_is_nr_open': None}
