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

Which vendor built it matters too (kernel-limits.md, fs.nr_open row): a hard nofile above
fs.nr_open makes setrlimit() fail with EPERM. Upstream Linux-PAM (RHEL, Fedora, SUSE, Arch) then
refuses the session (setup_limits -> LIMIT_ERR -> PAM_PERM_DENIED): a login lockout. Debian's
pam_limits (and Ubuntu's, built from it) carries patch 032_pam_limits_EPERM_NOT_FATAL: the login
succeeds and the limit silently does not apply. The same patch line keeps `*` and `@group` lines
from matching root. pam_vendor() tells them apart from /etc/os-release (ID, ID_LIKE) and the
package database (dpkg's status file names libpam-modules and its version; the rpm database is
not plain text, so there only the vendor is told), and says "unknown" when it cannot.

Python 3.6 compatible.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from ansible_collections.netlimits.tcp.plugins.module_utils._facts.read import (
    exists, host_path, join, list_dir, open_text, read_bytes, read_text,
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
    """{path, unlimited_nofile_is_nr_open, vendor, vendor_why, os_id, version} of the host's pam_limits.

    path, unlimited_nofile_is_nr_open: of the first pam_limits.so found under root.
    unlimited_nofile_is_nr_open: True when the module maps an unlimited nofile
    to fs.nr_open (logins work), False when it does not (logins fail), None
    when no pam_limits.so was found or it could not be read. vendor: pam_vendor()'s
    (debian, upstream or unknown), what a nofile above fs.nr_open does.
    """
    found = _module(root, unreadable)
    vendor = pam_vendor(root, unreadable)
    found.update({'vendor': vendor['vendor'], 'vendor_why': vendor['why'], 'os_id': vendor['os_id'],
                  'version': vendor['version']})
    return found


def _module(root, unreadable):
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


DEBIAN = 'debian'        # Debian's patched pam_limits: EPERM ignored, `*`/@group skip root
UPSTREAM = 'upstream'    # Linux-PAM as released: EPERM refuses the session, `*` covers root
UNKNOWN = 'unknown'
# os-release ID / ID_LIKE words of each build (os-release(5)); Ubuntu and its derivatives build
# libpam-modules from Debian's source package, patches included.
_DEBIAN_IDS = ('debian', 'ubuntu')
_UPSTREAM_IDS = ('rhel', 'fedora', 'centos', 'rocky', 'almalinux', 'ol', 'suse', 'opensuse', 'sles', 'arch',
                 'amzn')
DPKG_STATUS = 'var/lib/dpkg/status'
RPM_DBS = ('var/lib/rpm', 'usr/lib/sysimage/rpm')


# What setrlimit()'s EPERM (a hard nofile above fs.nr_open) does to a login, by vendor.
EPERM_OUTCOME = {
    DEBIAN: ('the login succeeds and the limit silently does not apply (Debian/Ubuntu pam_limits ignores the '
             'EPERM: patch 032_pam_limits_EPERM_NOT_FATAL)'),
    UPSTREAM: 'pam_limits refuses the session: logins fail (upstream Linux-PAM: PAM_PERM_DENIED)',
    UNKNOWN: ('logins are refused (upstream Linux-PAM) or the limit silently does not apply (Debian/Ubuntu); '
              'which one could not be told on this host'),
}


def eperm_outcome(pam):
    """(vendor, words) for the files.pam_limits fact: what a nofile above fs.nr_open does at login."""
    vendor = (pam or {}).get('vendor') or UNKNOWN
    return vendor, EPERM_OUTCOME.get(vendor, EPERM_OUTCOME[UNKNOWN])


def parse_os_release(text):
    """{'id': str, 'id_like': [str], 'version_id': str} of an os-release text (missing ones empty)."""
    fields = {}
    for line in (text or '').splitlines():
        if '=' in line and not line.lstrip().startswith('#'):
            name, value = line.split('=', 1)
            fields[name.strip()] = value.strip().strip('"\'')
    return {'id': fields.get('ID', '').lower(), 'id_like': fields.get('ID_LIKE', '').lower().split(),
            'version_id': fields.get('VERSION_ID', '')}


def dpkg_version(root, package, unreadable=None):
    """The installed version of package in dpkg's status file, or None (streamed: the file is MBs)."""
    handle = open_text(root, DPKG_STATUS, unreadable)
    if handle is None:
        return None
    with handle:
        current, version, installed = None, None, False
        for line in handle:
            if line.startswith('Package:'):
                if current == package and installed:
                    return version
                current, version, installed = line.split(':', 1)[1].strip(), None, False
            elif current == package and line.startswith('Version:'):
                version = line.split(':', 1)[1].strip()
            elif current == package and line.startswith('Status:'):
                installed = line.split()[-1] == 'installed'
        return version if current == package and installed else None


def vendor_of(os_release, dpkg_pam_version, rpm_db):
    """Pure: (vendor, why) from the os-release fields, libpam-modules' dpkg version, whether an rpm db exists."""
    words = [os_release.get('id', '')] + list(os_release.get('id_like') or [])
    if dpkg_pam_version:
        return DEBIAN, 'libpam-modules %s (dpkg)' % dpkg_pam_version
    if any(w in _DEBIAN_IDS for w in words):
        return DEBIAN, 'os-release ID %s' % ' '.join(w for w in words if w)
    if any(w in _UPSTREAM_IDS for w in words):
        return UPSTREAM, 'os-release ID %s' % ' '.join(w for w in words if w)
    if rpm_db:
        return UPSTREAM, 'an rpm database (rpm-based distributions ship Linux-PAM unpatched)'
    return UNKNOWN, 'neither os-release nor a package database tells'


def pam_vendor(root, unreadable=None):
    """{vendor, why, os_id, version}: whose pam_limits this host runs (see the module docstring)."""
    release = parse_os_release(read_text(root, 'etc/os-release', unreadable)
                               or read_text(root, 'usr/lib/os-release', unreadable))
    version = dpkg_version(root, 'libpam-modules', unreadable)
    vendor, why = vendor_of(release, version, any(exists(root, d) for d in RPM_DBS))
    return {'vendor': vendor, 'why': why, 'os_id': release['id'] or None, 'version': version}
