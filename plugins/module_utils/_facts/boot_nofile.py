# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The nofile part of the boot model: what a login and a service get after the next boot.

pam_limits (Linux-PAM modules/pam_limits/pam_limits.c; limits.conf(5)), as a login runs it:
- files: /etc/security/limits.conf, then limits.d/*.conf by name (the facts' limits_entries order);
- a line matches by domain: the user's name (priority "user", the highest), ``@group`` when the user
  is a member ("group"), ``*`` ("default", the lowest); a uid range ``min:max`` counts as a user
  line. Upstream Linux-PAM matches root with ``*`` and ``@group`` too; Debian's patch does not
  (kernel-limits.md, "PAM and limits.conf");
- process_limit(): a line of lower priority than the one already taken is dropped; one of the same
  or a higher priority replaces it (so a later line of the same priority wins). A ``-`` line sets
  soft then hard, and returns before the hard part when its soft part is dropped;
- what no line sets stays what the calling process had (sshd, a service: systemd's
  DefaultLimitNOFILE);
- setup_limits(): soft is clamped to hard, then one setrlimit(RLIMIT_NOFILE). A hard value above
  fs.nr_open fails with EPERM (kernel/sys.c do_prlimit): upstream refuses the session
  (PAM_PERM_DENIED: a lockout), Debian/Ubuntu ignore it (032_pam_limits_EPERM_NOT_FATAL): the
  login keeps the old limits. ``unlimited`` is fs.nr_open where pam_limits maps it (Linux-PAM
  >= 1.5.2), else RLIM_INFINITY, which fails the same way.

Pure; Python 3.6 compatible.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

UNLIMITED = 'unlimited'
USER, GROUP, DEFAULT, NONE = 0, 1, 4, 6     # pam_limits' LIMITS_DEF_USER, _GROUP, _DEFAULT, _NONE

APPLIED = 'applied'           # setrlimit succeeds
NOT_APPLIED = 'not_applied'   # EPERM ignored (Debian): the login keeps the inherited limits
REFUSED = 'refused'           # EPERM fatal (upstream): the session is refused
UNKNOWN = 'unknown'           # EPERM, and the vendor is not known: one of the two above


def _in_range(domain, uid):
    low, high = domain.split(':', 1)
    try:
        low = int(low) if low else 0
        high = int(high) if high else None
    except ValueError:
        return False
    return uid >= low and (high is None or uid <= high)


def priority(domain, user, vendor):
    """pam_limits' priority of a line's domain for user ({name, uid, groups}), or None when it does not match."""
    root = user['uid'] == 0
    if domain == user['name']:
        return USER
    if ':' in domain and not domain.startswith(('@', '%')):
        return USER if _in_range(domain, user['uid']) else None
    if domain.startswith('@') and domain[1:] in user.get('groups', ()):
        return None if root and vendor == 'debian' else GROUP
    if domain == '*':
        return None if root and vendor == 'debian' else DEFAULT
    return None


def pam_nofile(entries, user, vendor):
    """{soft, hard, soft_line, hard_line}: the nofile lines pam_limits takes for user (None: inherited).

    entries: the facts' limits_entries in read order ({file, line, domain, type, value}).
    """
    soft, hard = (None, NONE), (None, NONE)
    for entry in entries:
        prio = priority(entry['domain'], user, vendor)
        if prio is None:
            continue
        if entry['type'] in ('soft', '-'):
            if soft[1] < prio:
                continue   # process_limit returns: a '-' line then skips its hard part too
            soft = (entry, prio)
        if entry['type'] in ('hard', '-'):
            if hard[1] < prio:
                continue
            hard = (entry, prio)
    return {'soft_line': soft[0], 'hard_line': hard[0]}


def _value(line, inherited, nr_open, maps_unlimited):
    if line is None:
        return inherited
    value = line['value']
    if value == UNLIMITED:
        return nr_open if maps_unlimited else UNLIMITED
    return value if isinstance(value, int) else inherited   # pam_limits skips a malformed value


def login_nofile(entries, user, vendor, inherited, nr_open, maps_unlimited):
    """What a login of user gets after boot: {soft, hard, outcome, soft_line, hard_line, asked}.

    inherited: (soft, hard) of the calling process (sshd: systemd's DefaultLimitNOFILE). nr_open:
    fs.nr_open as boot leaves it. maps_unlimited: pam_limits maps unlimited to fs.nr_open (True),
    not (False) or unknown (None: counted as not).
    """
    lines = pam_nofile(entries, user, vendor)
    hard = _value(lines['hard_line'], inherited[1], nr_open, maps_unlimited)
    soft = _value(lines['soft_line'], inherited[0], nr_open, maps_unlimited)
    if soft == UNLIMITED or (isinstance(hard, int) and isinstance(soft, int) and soft > hard):
        soft = hard   # setup_limits: rlim_cur clamped to rlim_max
    result = {'soft': soft, 'hard': hard, 'outcome': APPLIED, 'asked': {'soft': soft, 'hard': hard},
              'soft_line': lines['soft_line'], 'hard_line': lines['hard_line']}
    above = hard == UNLIMITED or (isinstance(hard, int) and isinstance(nr_open, int) and hard > nr_open)
    if above:
        result['outcome'] = {'debian': NOT_APPLIED, 'upstream': REFUSED}.get(vendor, UNKNOWN)
        result['soft'], result['hard'] = inherited
    return result


def users_to_check(entries):
    """The users whose logins differ: root, one per named user and group domain, and one in no group."""
    users = [{'name': 'root', 'uid': 0, 'groups': ['root']},
             {'name': '(any other user)', 'uid': 1000, 'groups': []}]
    for entry in entries:
        domain = entry['domain']
        if domain.startswith('@') and ':' not in domain:
            users.append({'name': '(a member of %s)' % domain, 'uid': 1000, 'groups': [domain[1:]]})
        elif domain not in ('*', 'root') and not domain.startswith('%') and ':' not in domain:
            users.append({'name': domain, 'uid': 1000, 'groups': []})
    seen, unique = set(), []
    for user in users:
        if user['name'] not in seen:
            seen.add(user['name'])
            unique.append(user)
    return unique


def service_nofile(setting, nr_open):
    """{soft, hard, source, above_nr_open} of a systemd LimitNOFILE=/DefaultLimitNOFILE= ({soft, hard, source}).

    A service whose hard limit is above fs.nr_open does not get it: setrlimit() fails with EPERM
    (do_prlimit) and systemd's exec either fails the start or clamps (setrlimit_closest).
    """
    if not setting:
        return None
    hard = setting.get('hard')
    above = hard == UNLIMITED or (isinstance(hard, int) and isinstance(nr_open, int) and hard > nr_open)
    return dict(setting, above_nr_open=above)
