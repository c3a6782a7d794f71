# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The txqueuelen part of the boot model: which boot step sets an interface's queue length, and to what.

In boot order (kernel-limits.md "txqueuelen and its persistence"; systemd.link(5); udev(7)):
1. the driver's default (ether_setup(): 1000 for Ethernet);
2. udev's "add" event: rules files by file name (same-name masking, /dev/null masks). The
   systemd .link is applied by the net_setup_link builtin that 80-net-setup-link.rules imports:
   only the FIRST .link file by file name whose [Match] matches applies (systemd.link(5)), and its
   TransmitQueueLength= (systemd >= 248) sets the length there; an ``ATTR{tx_queue_len}`` of a
   rules file sorted after 80-net-setup-link.rules wins over it, one sorted before loses;
3. /etc/rc.local, last (rc-local.service is After=network.target), only where something runs it
   (executable, systemd < 260 or no systemd), systemd can exec it (an interpreter line naming a
   shell) and nothing before our line ends the script (a top-level ``exit``/``exec``).

[Match] keys this model evaluates (systemd.link(5)): OriginalName=, MACAddress=, Type=, Driver= from
sysfs, Path= and Property= from udev's database (/run/udev/data/n<ifindex>; Debian's
73-usb-net-by-mac.link matches by Property=ID_BUS=usb). A file with a key it cannot tell may or may
not match: it is taken as the first match and the result is marked not certain.
Python 3.6 compatible.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import fnmatch
import re

from ansible_collections.netlimits.tcp.plugins.module_utils._facts.read import (
    conf_files, read_first, read_link, read_lines, read_text,
)
from ansible_collections.netlimits.tcp.plugins.module_utils._formats.rc_local import parse_ip_txqueuelen
from ansible_collections.netlimits.tcp.plugins.module_utils._formats.systemd_link import parse_link_section

ETHER_DEFAULT = 1000            # ether_setup(), net/ethernet/eth.c
LINK_TXQ_SINCE = 248
RC_LOCAL_REMOVED_IN = 260
NET_SETUP_LINK_RULES = '80-net-setup-link.rules'
UDEV_DIRS = ('etc/udev/rules.d', 'run/udev/rules.d', 'usr/lib/udev/rules.d', 'lib/udev/rules.d')
LINK_DIRS = ('etc/systemd/network', 'run/systemd/network', 'usr/local/lib/systemd/network',
             'usr/lib/systemd/network', 'lib/systemd/network')
_SHELLS = ('sh', 'bash', 'dash', 'ksh', 'mksh', 'zsh', 'busybox')
_UDEV_TXQ = re.compile(r'ATTR\{tx_queue_len\}\s*=\s*"?(\d+)"?')
_UDEV_KERNEL = re.compile(r'KERNEL\s*==\s*"([^"]*)"')
_ENDS_SCRIPT = re.compile(r'^(exit|exec)(\s|$)')


def udev_properties(root, name, unreadable=None):
    """{KEY: value} of the interface's udev database entry (/run/udev/data/n<ifindex>, its E: lines), or None."""
    index = read_first(root, 'sys/class/net/%s/ifindex' % name, unreadable)
    text = read_text(root, 'run/udev/data/n%s' % index, unreadable) if index else None
    if text is None:
        return None
    return dict(line[2:].split('=', 1) for line in text.splitlines() if line.startswith('E:') and '=' in line)


def device_facts(root, name, unreadable=None):
    """What .link [Match] keys are tested against: address, type, devtype, driver, udev properties."""
    base = 'sys/class/net/%s' % name
    driver = read_link(root, base + '/device/driver')
    devtype = [line.split('=', 1)[1] for line in (read_text(root, base + '/uevent', unreadable) or '').splitlines()
               if line.startswith('DEVTYPE=')]
    return {'name': name, 'address': read_first(root, base + '/address', unreadable),
            'type': read_first(root, base + '/type', unreadable), 'devtype': devtype[0] if devtype else None,
            'driver': driver.rsplit('/', 1)[-1] if driver else None,
            'properties': udev_properties(root, name, unreadable)}


def _type_name(device):
    if device['type'] == '772':
        return 'loopback'
    if device['devtype']:
        return device['devtype']
    return 'ether' if device['type'] == '1' else None


def _test(key, words, device):
    """True/False, or None when this key cannot be told from the files (net_match_config, systemd.link(5))."""
    if key == 'OriginalName':
        return any(fnmatch.fnmatchcase(device['name'], w) for w in words)
    if key == 'MACAddress' and device['address']:
        return device['address'].lower() in [w.lower() for w in words]
    if key == 'Type' and _type_name(device):
        return any(fnmatch.fnmatchcase(_type_name(device), w) for w in words)
    if key == 'Driver' and device['driver']:
        return any(fnmatch.fnmatchcase(device['driver'], w) for w in words)
    props = device['properties']
    if key == 'Path' and props is not None:
        return any(fnmatch.fnmatchcase(props.get('ID_PATH', ''), w) for w in words)
    if key == 'Property' and props is not None:   # every KEY=VALUE must hold (ANDed)
        return all('=' in w and fnmatch.fnmatchcase(props.get(w.split('=', 1)[0], ''), w.split('=', 1)[1])
                   for w in words)
    return None


def link_matches(match, device):
    """Pure: True/False/None (unknown) whether a .link [Match] section ([(key, value)]) matches the device.

    Every key must hold; a leading '!' negates a list (systemd.link(5)).
    """
    if not match:
        return False            # systemd ignores a .link without match keys
    known = True
    for key, value in match:
        words = value.split()
        negate = bool(words) and words[0].startswith('!')
        if negate:
            words[0] = words[0][1:]
        hit = _test(key, words, device)
        if hit is None:
            known = False
        elif hit == negate:
            return False
    return True if known else None


def link_step(root, name, systemd_version, unreadable=None):
    """(value or None, path, matched) of the first .link that matches name; matched None when unknown."""
    device = device_facts(root, name, unreadable)
    for path in conf_files(root, LINK_DIRS, '.link', unreadable):
        if read_link(root, path) == '/dev/null':
            continue
        text = read_text(root, path, unreadable)
        matched = link_matches(parse_link_section(text, 'Match'), device)
        if matched is False:
            continue
        values = [v for k, v in parse_link_section(text, 'Link') if k == 'TransmitQueueLength']
        value = int(values[-1]) if values and values[-1].isdigit() else None
        if systemd_version is not None and systemd_version < LINK_TXQ_SINCE:
            value = None
        return value, path, matched
    return None, None, False


def udev_steps(root, name, unreadable=None):
    """[(value, path, before_link)] of rules setting ATTR{tx_queue_len} for name, in rule order."""
    steps = []
    for path in conf_files(root, UDEV_DIRS, '.rules', unreadable):
        if read_link(root, path) == '/dev/null':
            continue
        for line in read_lines(root, path, unreadable) or []:
            if line.lstrip().startswith('#') or 'SUBSYSTEM=="net"' not in line.replace(' ', ''):
                continue
            value, kernel = _UDEV_TXQ.search(line), _UDEV_KERNEL.search(line)
            if value and (kernel is None or fnmatch.fnmatchcase(name, kernel.group(1))):
                steps.append((int(value.group(1)), path, path.rsplit('/', 1)[1] < NET_SETUP_LINK_RULES))
    return steps


def rc_local_runs(text):
    """Pure: (runs, why) for one rc.local text: whether systemd can exec it as a shell script."""
    lines = (text or '').split('\n')
    first = lines[0].strip() if lines else ''
    if not first.startswith('#!'):
        return False, 'no interpreter line: systemd cannot exec it'
    words = first[2:].split()
    shell = words[1] if words and words[0].endswith('/env') and len(words) > 1 else (words[0] if words else '')
    if shell.rsplit('/', 1)[-1] not in _SHELLS:
        return False, 'its interpreter %s is not a shell' % (shell or '(none)')
    return True, ''


def rc_local_step(text, name):
    """Pure: (value, ended_by) of the first `ip link set NAME txqueuelen N` line a run of text reaches."""
    for number, line in enumerate((text or '').split('\n')[1:], 2):
        bare = line.rstrip('\r')
        if _ENDS_SCRIPT.match(bare):
            return None, 'line %d (%s) ends the script before it' % (number, bare.strip())
        parsed = parse_ip_txqueuelen(bare.strip())
        if parsed and parsed[0] == name:
            return parsed[1], None
    return None, None


def txqueuelen_at_boot(root, iface, rc_local, systemd_version, rc_supported, unreadable=None):
    """{value, source, certain} of one interface's txqueuelen after the next boot.

    iface: the facts' interface entry. rc_local: the persistence facts' rc_local. rc_supported:
    the persistence facts' rc_local_supported.
    """
    name = iface['name']
    value = ETHER_DEFAULT if iface.get('physical') else None
    source, certain = 'the driver\'s default', True
    link_value, link_path, matched = link_step(root, name, systemd_version, unreadable)
    steps = udev_steps(root, name, unreadable)
    for step_value, path, before_link in steps:
        if before_link:
            value, source = step_value, path
    if link_value is not None:
        value, source, certain = link_value, link_path, matched is True
    for step_value, path, before_link in steps:
        if not before_link:
            value, source = step_value, path
    if rc_local.get('exists') and rc_local.get('executable') and rc_supported is not False:
        text = read_text(root, 'etc/rc.local', unreadable)
        runs = rc_local_runs(text)[0]
        rc_value = rc_local_step(text, name)[0] if runs else None
        if rc_value is not None:
            value, source = rc_value, '/etc/rc.local'
            certain = certain and rc_supported is True
    return {'value': value, 'source': source, 'certain': certain}
