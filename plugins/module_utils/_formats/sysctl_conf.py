# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one parser of sysctl.d / sysctl.conf text, with the loaders' rules.

The rules, as procps-ng ``sysctl --system`` (sysctl.c: Preload(),
WriteSetting(), slashdot()) and systemd-sysctl (src/sysctl/sysctl.c
parse_file(), src/shared/sysctl-util.c sysctl_normalize()) read a file:

* a line is stripped of surrounding whitespace; an empty line, or one whose
  first character is '#' or ';', is a comment;
* a line without '=' sets nothing (procps: "invalid syntax", skipped);
* whitespace around '=' does not count: ``a.b = 1`` is ``a.b=1``;
* a leading '-' on the name means "ignore a failure to set it" and is not part
  of the name;
* the name's first separator decides the separator: when it is '/', '/'
  separates and a '.' inside a component is a literal dot, so the dotted
  spelling swaps the two (``net/ipv4/conf/eth0.100/rp_filter`` is
  ``net.ipv4.conf.eth0/100.rp_filter``; /proc/sys/net/ipv4/conf/eth0.100/).

Every reader of such files (the facts' provenance, the planner reading back
its own file) goes through parse_sysctl_conf(), so they agree on every key.
Pure; Python 3.6 compatible.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from collections import namedtuple

# One assignment of a sysctl file: its 1-based line number, the key in dotted form, the value
# (stripped) and whether the name had the '-' (ignore failure) prefix.
SysctlLine = namedtuple('SysctlLine', ['line', 'name', 'value', 'ignore_failure'])


def normalize_key(name):
    """'-net/ipv4/tcp_tw_reuse' -> ('net.ipv4.tcp_tw_reuse', True); the bool is the '-' (ignore failure) prefix.

    As procps' slashdot() and systemd's sysctl_normalize() do: when the first
    separator is '/', '/' and '.' swap, so a '.' inside a component survives
    as a literal dot ('/' in the dotted form).
    """
    name = name.strip()
    ignore = name.startswith('-')
    if ignore:
        name = name[1:].strip()
    slash, dot = name.find('/'), name.find('.')
    if slash >= 0 and (dot < 0 or slash < dot):
        name = name.translate({ord('/'): u'.', ord('.'): u'/'})
    return name, ignore


def parse_sysctl_conf(text):
    """[SysctlLine(line, name, value, ignore_failure)] of a sysctl.d text, in file order (later lines win)."""
    entries = []
    for number, line in enumerate((text or '').splitlines(), 1):
        line = line.strip()
        if not line or line[0] in '#;' or '=' not in line:
            continue
        name, value = line.split('=', 1)
        name, ignore = normalize_key(name)
        if name:
            entries.append(SysctlLine(number, name, value.strip(), ignore))
    return entries


def sysctl_conf_keys(text):
    """The keys a sysctl.d text sets, dotted, in file order (a key set twice is listed once)."""
    keys = []
    for entry in parse_sysctl_conf(text):
        if entry.name not in keys:
            keys.append(entry.name)
    return keys
