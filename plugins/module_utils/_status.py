# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The statuses of the plan and tcp_tune_report: one vocabulary for the module, filters and docs.

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
