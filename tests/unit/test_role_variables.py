# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The role's variables and profiles agree wherever they are listed.

meta/argument_specs.yml is the one list of the variables; the controller's check
(plugins/plugin_utils/_tune/validate.py) reads it; defaults/main.yml cannot be generated - Ansible reads the defaults from it, and its comments are
for people - so every name, default and type there is checked against the specs. The profiles are
data of the role (vars/main.yml): their names must be the choices of tcp_tune_profile, their
variables the role's, and every value must pass the planner as if it had been set explicitly.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.netlimits.tcp.plugins.module_utils._plan import plan as _plan
from ansible_collections.netlimits.tcp.plugins.plugin_utils._tune import validate as _validate
from ansible_collections.netlimits.tcp.plugins.module_utils._facts.gather import gather
from ansible_collections.netlimits.tcp.tests.unit.fixtures.checked import checked_plan
from ansible_collections.netlimits.tcp.tests.unit.fixtures.role import PROFILES, argument_specs, role_yaml
from ansible_collections.netlimits.tcp.tests.unit.fixtures.tree import make_tree

SPECS = argument_specs()
DEFAULTS_MAIN = role_yaml('defaults/main.yml')
PREFIX = 'tcp_tune_'

# Python types a default of each argument_specs type may have.
TYPES = {'str': (str,), 'int': (int,), 'float': (int, float), 'bool': (bool,), 'list': (list,),
         'dict': (dict,), 'raw': (object,)}


def test_defaults_main_lists_exactly_the_variables_of_argument_specs():
    assert sorted(set(SPECS) - set(DEFAULTS_MAIN)) == [], 'in argument_specs.yml, missing in defaults/main.yml'
    assert sorted(set(DEFAULTS_MAIN) - set(SPECS)) == [], 'in defaults/main.yml, missing in argument_specs.yml'


@pytest.mark.parametrize('name', sorted(SPECS))
def test_defaults_main_gives_the_default_of_argument_specs(name):
    spec = SPECS[name]
    assert DEFAULTS_MAIN.get(name) == spec.get('default'), \
        '%s: defaults/main.yml has %r, argument_specs.yml %r' % (name, DEFAULTS_MAIN.get(name), spec.get('default'))
    value = DEFAULTS_MAIN.get(name)
    if value is not None:
        kind = spec.get('type', 'str')
        assert isinstance(value, TYPES[kind]) and not (kind == 'int' and isinstance(value, bool)), \
            '%s: default %r is not of type %s' % (name, value, kind)
        assert not spec.get('choices') or value in spec['choices'], '%s: default %r not among its choices' % (name, value)


def test_controller_reads_argument_specs():
    short = dict((name[len(PREFIX):], spec) for name, spec in SPECS.items())
    assert _validate.PARAMS == dict((n, s.get('type', 'str')) for n, s in short.items())
    assert _validate.DEFAULTS == dict((n, s['default']) for n, s in short.items() if s.get('default') is not None)
    assert _validate.CHOICES == dict((n, tuple(s['choices'])) for n, s in short.items() if s.get('choices'))


def test_profile_choices_are_the_profiles_of_the_role():
    assert sorted(SPECS['tcp_tune_profile']['choices']) == sorted(PROFILES)


@pytest.mark.parametrize('profile', sorted(PROFILES))
def test_profile_sets_role_variables_each_with_why(profile):
    data = PROFILES[profile]
    assert data.get('description'), '%s has no description' % profile
    for short, entry in data['settings'].items():
        assert PREFIX + short in SPECS, 'profile %s sets %s, not a variable of the role' % (profile, short)
        assert set(entry) == set(('value', 'why')) and entry['value'] is not None and entry['why'].strip(), \
            'profile %s, %s: needs exactly a value and why it is that, got %r' % (profile, short, entry)


def test_profile_none_sets_nothing():
    # the planner accepts tcp_tune_profile=none without the profiles (_plan/inputs.py NO_PROFILE)
    assert PROFILES['none']['settings'] == {}


@pytest.mark.parametrize('profile', sorted(PROFILES))
def test_profile_values_pass_the_planner_as_explicit_variables(tmp_path, profile):
    facts = gather(make_tree(tmp_path, '6.1'))
    explicit = dict((PREFIX + short, entry['value']) for short, entry in PROFILES[profile]['settings'].items())
    explicit[PREFIX + 'profile'] = 'none'
    assert checked_plan(explicit, facts, {}, PROFILES)['state'] == 'present'
    # and the profile itself gives the planner exactly these values
    assert checked_plan({PREFIX + 'profile': profile}, facts, {}, PROFILES)['profile'] == profile


def test_planner_without_profiles_says_the_role_passes_them(tmp_path):
    facts = gather(make_tree(tmp_path, '6.1'))
    with pytest.raises(_plan.PlanError) as err:
        checked_plan({}, facts, {})
    assert 'tcp_tune_profile=balanced needs the profiles' in str(err.value) and 'option profiles' in str(err.value)
    assert checked_plan({'tcp_tune_profile': 'none', 'tcp_tune_somaxconn': 8192}, facts, {})['state'] == 'present'
    assert checked_plan({'tcp_tune_state': 'absent'}, facts, {})['state'] == 'absent'


def test_planner_refuses_a_profile_entry_without_value(tmp_path):
    facts = gather(make_tree(tmp_path, '6.1'))
    broken = {'balanced': {'settings': {'somaxconn': 4096, 'somaxcon': {'value': 1}}}}
    with pytest.raises(_plan.PlanError) as err:
        checked_plan({}, facts, {}, broken)
    assert 'profiles[balanced][somaxconn] must be {value, why}' in str(err.value)
    assert 'profiles[balanced]: somaxcon is not a variable' in str(err.value)
