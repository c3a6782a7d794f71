# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Statuses and severities: one vocabulary for the modules, the filters, the audit report and the docs.

What the plan and tcp_tune_report say of each key and file, the severity of a finding, and what the
audit report says of each host. Defined here only; everything else imports them.

Python 3.6 compatible.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

# present
APPLIED = 'applied'
UNCHANGED = 'unchanged'
SKIPPED_MISSING = 'skipped_missing'
SKIPPED_READ_ONLY = 'skipped_read_only'
SKIPPED_KERNEL = 'skipped_kernel'
SKIPPED_LOWER = 'skipped_lower'
OVERRIDDEN = 'overridden'
# absent (revert)
RESTORED = 'restored'
KEPT_HOST_SCOPE = 'kept_host_scope'
UNKNOWN_ORIGINAL = 'unknown_original'

# tcp_tune_state present, in the order reports show them
PRESENT = (APPLIED, UNCHANGED, OVERRIDDEN, SKIPPED_MISSING, SKIPPED_READ_ONLY, SKIPPED_KERNEL, SKIPPED_LOWER)
# what the run changed (or would, in check mode), and what it left for a reason
CHANGING = (APPLIED, RESTORED)
SKIPPED = (SKIPPED_MISSING, SKIPPED_READ_ONLY, SKIPPED_KERNEL, SKIPPED_LOWER, KEPT_HOST_SCOPE, UNKNOWN_ORIGINAL)

# a managed file in tcp_tune_report's files (besides APPLIED, UNCHANGED and RESTORED)
REMOVED = 'removed'
BLOCK_REMOVED = 'block_removed'
# the key or file is as the run wants it (the audit report shows these green)
IN_EFFECT = (APPLIED, UNCHANGED, RESTORED, REMOVED)

# severity of a finding, most severe first
CRITICAL = 'critical'
WARNING = 'warning'
INFO = 'info'
SEVERITIES = (CRITICAL, WARNING, INFO)

# a host in the audit report: facts gathered, not reached, gathering failed, reached but no facts
OK = 'ok'
UNREACHABLE = 'unreachable'
FAILED = 'failed'
NO_FACTS = 'no_facts'
HOST_STATUSES = (OK, UNREACHABLE, FAILED, NO_FACTS)
