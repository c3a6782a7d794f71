# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Write tests/unit/fixtures/expected/ again from the templates and the planner (review the diff after)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import shutil
import tempfile

from ansible_collections.netlimits.tcp.tests.unit.golden import cases


def main():
    for name in sorted(cases.CASES):
        shutil.rmtree(os.path.join(cases.EXPECTED, name), ignore_errors=True)
        work = tempfile.mkdtemp()
        try:
            for path, content in sorted(cases.planned_files(work, name).items()):
                dest = cases.expected_path(name, path)
                if not os.path.isdir(os.path.dirname(dest)):
                    os.makedirs(os.path.dirname(dest))
                with open(dest, 'wb') as handle:
                    handle.write(content.encode('utf-8', 'surrogateescape'))
                print(dest)
        finally:
            shutil.rmtree(work)


if __name__ == '__main__':
    main()
