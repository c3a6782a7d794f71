# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The role's templates rendered in unit tests as the action plugin renders them: the template lookup.

role_renderer() is render(template, model) over roles/tcp_tune/templates with
Ansible's ansible.builtin.template lookup (a DataLoader and a Templar, no
play), so the golden files and the tune() tests see the text a host gets.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from ansible.parsing.dataloader import DataLoader
from ansible.plugins.loader import lookup_loader
from ansible.template import Templar

from ansible_collections.netlimits.tcp.plugins.plugin_utils._tune.validate import MANAGED_HEADER

ROLE = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', '..', 'roles', 'tcp_tune')


def role_renderer(overrides=None, header=MANAGED_HEADER, search=()):
    """render(template, model) -> text; overrides: {template: path} as tcp_tune_templates; search: more
    directories after the role's (as a playbook's directory comes after the role's)."""
    loader = DataLoader()
    lookup = lookup_loader.get('template', loader=loader, templar=Templar(loader=loader))
    variables = {'ansible_search_path': [os.path.abspath(ROLE)] + list(search)}

    def render(template, model):
        source = (overrides or {}).get(template) or template
        return lookup.run([source], variables, template_vars={'model': model, 'tcp_tune_managed_header': header})[0]
    return render
