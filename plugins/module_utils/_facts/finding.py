# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One finding dict, shared by findings.py and findings_boot.py.

docs/findings.md explains each finding id (the heading is the id, so ``doc`` links to its section).
Python 3.6 compatible.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOC = 'docs/findings.md#%s'


def finding(fid, severity, message, value, recommendation):
    """One finding dict."""
    return {'id': fid, 'severity': severity, 'message': message, 'value': value,
            'recommendation': recommendation, 'doc': DOC % fid}
