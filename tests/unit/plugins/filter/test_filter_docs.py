# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every filter the collection exports has documentation that ansible-doc reads, and it names the filter's options.

Galaxy and Automation Hub run `ansible-doc --type filter` over every filter of an uploaded collection and log an
ERROR for one without documentation (issue #24). The names come from each plugins/filter/*.py's FilterModule, not from
ansible-doc's own list, so a filter added without docs (in the .py's DOCUMENTATION or a side-car
plugins/filter/NAME.yml) fails here. ansible-doc is the one of the ansible-core under test, run against this checkout
on a collections path of its own.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import glob
import importlib
import inspect
import json
import os
import shutil
import subprocess
import sys

import pytest

ROOT = os.path.realpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', '..', '..'))
COLLECTION = 'netlimits.tcp'


def exported_filters():
    """Filter name -> its function, for every filter of every plugins/filter/*.py."""
    found = {}
    for path in sorted(glob.glob(os.path.join(ROOT, 'plugins', 'filter', '*.py'))):
        name = os.path.splitext(os.path.basename(path))[0]
        if name == '__init__':
            continue
        module = importlib.import_module('ansible_collections.netlimits.tcp.plugins.filter.%s' % name)
        for filter_name, function in module.FilterModule().filters().items():
            assert filter_name not in found, 'filter %s exported twice' % filter_name
            found[filter_name] = function
    return found


def ansible_doc():
    here = os.path.join(os.path.dirname(sys.executable), 'ansible-doc')
    return here if os.path.exists(here) else shutil.which('ansible-doc')


@pytest.fixture(scope='module')
def docs(tmp_path_factory):
    """ansible-doc --json of every exported filter, from this checkout linked as ansible_collections/netlimits/tcp."""
    names = sorted(exported_filters())
    collections = tmp_path_factory.mktemp('collections')
    os.makedirs(str(collections / 'ansible_collections' / 'netlimits'))
    os.symlink(ROOT, str(collections / 'ansible_collections' / 'netlimits' / 'tcp'))
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(collections), ANSIBLE_NOCOLOR='1')
    env.pop('ANSIBLE_COLLECTIONS_PATHS', None)
    result = subprocess.run([ansible_doc(), '--type', 'filter', '--json'] + ['%s.%s' % (COLLECTION, n) for n in names],
                            cwd=str(collections), env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            universal_newlines=True, check=False)
    # A filter without documentation: ansible-doc names it on stderr and exits 1.
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_every_filter_module_exports_filters():
    names = exported_filters()
    assert len(names) >= len(glob.glob(os.path.join(ROOT, 'plugins', 'filter', '*.py')))


@pytest.mark.parametrize('name', sorted(exported_filters()))
def test_filter_is_documented(docs, name):
    entry = docs.get('%s.%s' % (COLLECTION, name))
    assert entry and entry.get('doc'), 'ansible-doc has no documentation of %s.%s' % (COLLECTION, name)
    doc = entry['doc']
    assert doc['name'] == name
    assert doc.get('short_description')
    assert entry.get('examples'), 'no EXAMPLES for %s' % name
    assert entry.get('return', {}).get('_value'), 'no RETURN _value for %s' % name


@pytest.mark.parametrize('name', sorted(exported_filters()))
def test_documented_options_are_the_filters_parameters(docs, name):
    """_input is the first parameter; every other parameter is an option, with the function's default."""
    parameters = list(inspect.signature(exported_filters()[name]).parameters.values())
    options = dict(docs['%s.%s' % (COLLECTION, name)]['doc'].get('options') or {})
    assert '_input' in options and options.pop('_input').get('required')
    assert sorted(options) == sorted(p.name for p in parameters[1:])
    for parameter in parameters[1:]:
        documented = options[parameter.name].get('default')
        if documented is not None or parameter.default is not None:
            assert documented == parameter.default, '%s: option %s' % (name, parameter.name)
