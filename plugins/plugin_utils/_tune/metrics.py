# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The text of the collection's facts code that tcp_tune_metrics installs on a host, read here on the controller.

The planner names each module (_plan/metrics.py METRICS_MODULES, relative to plugins/module_utils);
its template (metrics-module.py.j2) renders the role's header, and the module's own text, read from
this collection, follows it unchanged: Python source never goes through Jinja2 (a "{#" or "{{" in it
would be template syntax). The host then runs exactly the code this controller's collection has.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from ansible_collections.netlimits.tcp.plugins.module_utils._common import paths as _paths
from ansible_collections.netlimits.tcp.plugins.module_utils._plan.metrics import METRICS_MODULES

MODULE_UTILS = os.path.dirname(os.path.dirname(os.path.abspath(_paths.__file__)))


def module_source(rel):
    """The text of plugins/module_utils/<rel> of this collection; ValueError for a name not in METRICS_MODULES."""
    if rel not in METRICS_MODULES:
        raise ValueError('%r is not a module tcp_tune_metrics installs' % (rel,))
    with open(os.path.join(MODULE_UTILS, rel), 'rb') as handle:
        return handle.read().decode('utf-8')


def with_source(rendered, model):
    """The rendered header of metrics-module.py.j2, then the module's text."""
    head = rendered if rendered.endswith('\n') or not rendered else rendered + '\n'
    return head + module_source(model.get('module'))
