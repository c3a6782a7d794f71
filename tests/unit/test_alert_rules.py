# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The alert rules against the role and the metrics: every runbook names a real role variable, every
netlimits_tcp_ metric a rule uses is one the collection writes, every alert has a firing and a quiet
promtool test. promtool itself checks and runs them (make promtool)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re

import yaml

from ansible_collections.netlimits.tcp.plugins.plugin_utils._tune.validate import PARAMS
from ansible_collections.netlimits.tcp.plugins.module_utils._facts.destinations import destinations
from ansible_collections.netlimits.tcp.plugins.module_utils._facts.gather import gather
from ansible_collections.netlimits.tcp.plugins.module_utils._facts.prometheus import exposition
from ansible_collections.netlimits.tcp.tests.prometheus.fixture_metrics import SERVICES
from ansible_collections.netlimits.tcp.tests.unit.fixtures.tree import make_tree

ROOT = os.path.join(os.path.dirname(__file__), '..', '..')


def _load(rel):
    with open(os.path.join(ROOT, rel)) as handle:
        return yaml.safe_load(handle)


RULES = [rule for group in _load('extensions/prometheus/netlimits-tcp.rules.yml')['groups'] for rule in group['rules']]
TESTS = _load('tests/prometheus/netlimits-tcp.tests.yml')['tests']


def test_every_alert_has_a_summary_and_a_runbook_naming_role_variables():
    for rule in RULES:
        runbook = rule['annotations']['runbook']
        assert rule['annotations']['summary'], rule['alert']
        names = re.findall(r'tcp_tune_[a-z_]+', runbook)
        assert names, '%s: its runbook names no role variable' % rule['alert']
        for name in names:
            assert name[len('tcp_tune_'):] in PARAMS, '%s names %s, not a variable of the role' % (rule['alert'], name)


def test_every_netlimits_metric_of_the_rules_is_written(tmp_path):
    root = make_tree(tmp_path, '6.1', tcp=[(40000, 'TIME_WAIT')])
    facts = gather(root)
    facts['services'] = SERVICES
    text = exposition(facts, destinations(root, facts['ports']['range']), 1.0, 0.1)
    written = set(re.findall(r'(?m)^# TYPE (\S+) ', text))
    for rule in RULES:
        for name in re.findall(r'netlimits_tcp_[a-z_]+', rule['expr']):
            assert name in written, '%s uses %s, which the collection does not write' % (rule['alert'], name)


def test_every_alert_has_a_firing_and_a_quiet_promtool_case():
    fired, quiet = set(), set()
    for case in TESTS:
        instances = set(re.findall(r'instance="([a-z]+)"', ' '.join(s['series'] for s in case['input_series'])))
        for check in case['alert_rule_test']:
            hit = set(a['exp_labels'].get('instance') for a in check['exp_alerts'])
            (fired if hit else quiet).add(check['alertname'])
            if hit and instances - hit:
                quiet.add(check['alertname'])   # another host in the same series stays quiet
    alerts = set(rule['alert'] for rule in RULES)
    assert alerts - fired == set()
    assert alerts - quiet == set()
