# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Write the metrics text of fixture hosts into a directory, for `promtool check metrics` (make promtool).

Each fixture host (tests/unit/fixtures/tree.py) is gathered like the role's timer gathers a host, with a
services view of the shape the facts give (two SO_REUSEPORT listeners on one port, a label value
that needs escaping, a process outside any unit) so every metric family is in the text.
"""

from __future__ import absolute_import, division, print_function

import os
import sys
import tempfile

from ansible_collections.netlimits.tcp.plugins.module_utils._facts.destinations import destinations
from ansible_collections.netlimits.tcp.plugins.module_utils._facts.gather import gather
from ansible_collections.netlimits.tcp.plugins.module_utils._facts.prometheus import exposition
from ansible_collections.netlimits.tcp.tests.unit.fixtures.tree import make_tree

SERVICES = {
    'source': 'inet_diag', 'complete': True, 'notes': [],
    'listeners': [
        {'address': '0.0.0.0', 'port': 80, 'family': 'ipv4', 'queue': 3, 'backlog': 511, 'established': 700,
         'inode': 11, 'uid': 0, 'pids': [100, 101]},
        {'address': '0.0.0.0', 'port': 80, 'family': 'ipv4', 'queue': 9, 'backlog': 511, 'established': 700,
         'inode': 12, 'uid': 0, 'pids': [101]},
        {'address': '::', 'port': 22, 'family': 'ipv6', 'queue': 0, 'backlog': None, 'established': 1,
         'inode': 13, 'uid': 0, 'pids': [200]},
    ],
    'processes': [
        {'pid': 100, 'command': 'nginx', 'unit': 'nginx.service', 'user': 'root',
         'nofile': {'soft': 1024, 'hard': 524288}, 'fds': 12},
        {'pid': 101, 'command': 'nginx', 'unit': 'nginx.service', 'user': 'www-data',
         'nofile': {'soft': 1024, 'hard': 524288}, 'fds': 900},
        {'pid': 200, 'command': 'my "app"\\x', 'unit': None, 'user': 'app',
         'nofile': {'soft': 'unlimited', 'hard': 'unlimited'}, 'fds': 5},
    ],
}


def main(out_dir):
    base = tempfile.mkdtemp(prefix='netlimits-metrics-')
    for profile in ('6.1', '4.19', '3.10'):
        root = make_tree(base, profile, tcp=[(80, 'LISTEN'), (40000, 'TIME_WAIT'), (40001, 'ESTABLISHED')])
        facts = gather(root)
        facts['services'] = SERVICES
        text = exposition(facts, destinations(root, (facts.get('ports') or {}).get('range')), 1700000000.0, 0.25,
                          'fixture host %s' % profile)
        with open(os.path.join(out_dir, 'fixture-%s.prom' % profile), 'w') as handle:
            handle.write(text)


if __name__ == '__main__':
    main(sys.argv[1])
