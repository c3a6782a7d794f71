# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Findings about logins and the next boot: nofile_above_nr_open and not_persisted.

Both read what the boot model (_facts/boot.py) put in the facts' after_boot, and the host's
pam_limits vendor (_facts/pam.py). Pure: they read only the facts dict. Python 3.6 compatible.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.netlimits.tcp.plugins.module_utils._common.status import CRITICAL, WARNING
from ansible_collections.netlimits.tcp.plugins.module_utils._facts.finding import finding
from ansible_collections.netlimits.tcp.plugins.module_utils._facts.pam import eperm_outcome


def _unlimited_words(pam):
    """(mapped, words) for an unlimited nofile on the host's pam_limits."""
    mapped = (pam or {}).get('unlimited_nofile_is_nr_open')
    if mapped is False:
        return mapped, ('%s does not map it to fs.nr_open (Linux-PAM before 1.5.2, e.g. Debian 11\'s 1.4.0): '
                        'setrlimit() fails, and %s' % ((pam or {}).get('path'), eperm_outcome(pam)[1]))
    return mapped, ('whether it works depends on pam_limits, which was not found here: newer Linux-PAM '
                    '(Debian 12\'s 1.5.2, Debian 13) maps unlimited to fs.nr_open; on older ones (Debian 11\'s 1.4.0) '
                    'setrlimit() fails and %s' % eperm_outcome(pam)[1])


def _nr_open_levels(facts):
    """[(when, nr_open, source)]: fs.nr_open now, and after the next boot when that is lower (the boot model)."""
    live = (facts.get('files') or {}).get('nr_open')
    levels = [('now', live, 'live')] if isinstance(live, int) else []
    boot = ((facts.get('after_boot') or {}).get('sysctl') or {}).get('fs.nr_open') or {}
    if isinstance(boot.get('value'), int) and (not levels or boot['value'] < live):
        levels.append(('after the next boot', boot['value'], boot.get('source')))
    return levels


def check_nofile_above_nr_open(facts):
    """nofile_above_nr_open: a hard (or -) nofile above fs.nr_open, now or after the next boot.

    setrlimit() refuses it with EPERM (kernel/sys.c do_prlimit); what the login then does depends on the
    pam_limits vendor (_EPERM_WORDS). Soft-only lines do not count: pam_limits clamps soft to hard before
    setrlimit (setup_limits). `unlimited` depends on whether pam_limits maps it to fs.nr_open.
    """
    files = facts.get('files') or {}
    pam = files.get('pam_limits') or {}
    vendor, eperm = eperm_outcome(pam)
    mapped, unlimited = _unlimited_words(pam)
    result = []
    for entry in files.get('limits_entries') or []:
        value = entry.get('value')
        if entry.get('type') not in ('hard', '-'):
            continue
        where = '%s line %d sets %s nofile %s for %s' % (
            entry['file'], entry['line'], entry['type'], value, entry['domain'])
        for when, nr_open, source in _nr_open_levels(facts):
            extra = {'nr_open': nr_open, 'when': when, 'pam_vendor': vendor}
            if when != 'now':
                extra['nr_open_source'] = source
            at = 'fs.nr_open=%d%s' % (nr_open, '' if when == 'now' else ' after the next boot (%s)' % source)
            if isinstance(value, int) and value > nr_open:
                result.append(finding('nofile_above_nr_open', CRITICAL, '%s, above %s: %s.' % (where, at, eperm),
                                      dict(entry, **extra),
                                      'Raise fs.nr_open first (and persist it), or lower the nofile value to at '
                                      'most fs.nr_open.'))
                break
            if value == 'unlimited' and mapped is not True:
                result.append(finding('nofile_above_nr_open', CRITICAL if mapped is False else WARNING,
                                      '%s (above %s): %s.' % (where, at, unlimited),
                                      dict(entry, pam_limits=pam.get('path'), **extra),
                                      'Write an integer at most fs.nr_open instead of unlimited.'))
                break
    return result


def _shown(value):
    return ' '.join(str(v) for v in value) if isinstance(value, list) else str(value)


def _same(live, boot):
    if isinstance(live, list) or isinstance(boot, list):
        return [list(v) if isinstance(v, (list, tuple)) else v for v in (live or [])] == \
            [list(v) if isinstance(v, (list, tuple)) else v for v in (boot or [])]
    return live == boot


def check_not_persisted(facts):
    """not_persisted: every limit whose live value the next boot will not keep (the boot model, _facts/boot.py).

    Only where the boot model knows both values, and not in a container (its boot is the host's).
    """
    boot = facts.get('after_boot') or {}
    if not boot or (facts.get('containment') or {}).get('container'):
        return []
    lost = []
    for name, entry in sorted((boot.get('sysctl') or {}).items()):
        if entry.get('value') is None or entry.get('live') is None or _same(entry['live'], entry['value']):
            continue
        lost.append({'limit': name, 'live': entry['live'], 'after_boot': entry['value'], 'source': entry['source']})
    for name, entry in sorted((boot.get('txqueuelen') or {}).items()):
        # a boot step that sets another value than the live one is txqueuelen_not_in_effect's case
        if entry.get('value') is not None and entry.get('live') != entry['value'] \
                and not str(entry.get('source')).startswith('/'):
            lost.append({'limit': '%s txqueuelen' % name, 'live': entry['live'], 'after_boot': entry['value'],
                         'source': entry['source']})
    if not lost:
        return []
    conntrack = boot.get('conntrack') or {}
    why = ''
    if any('conntrack' in item['limit'] for item in lost) and conntrack.get('load') == 'late':
        why = (' nf_conntrack loads after systemd-sysctl here (a firewall loads it), so a sysctl.d line for it does '
               'not apply at boot.')
    return [finding('not_persisted', WARNING,
                    'The next boot will not keep: %s.%s' % ('; '.join(
                        '%s %s (boot gives %s, from %s)' % (item['limit'], _shown(item['live']),
                                                            _shown(item['after_boot']), item['source'])
                        for item in lost), why),
                    lost,
                    'Persist each value (a sysctl.d file, with nf_conntrack in modules-load.d; a udev rule or .link '
                    'for txqueuelen): tcp_tune does this for the limits it manages.')]
