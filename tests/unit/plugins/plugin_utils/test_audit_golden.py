# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The audit report's three renderings, byte for byte, against the files in tests/unit/fixtures/expected/audit/.

Each case of golden_cases() (tests/unit/fixtures/audit_facts.py) has NAME.json, NAME.html and NAME.md
there. A change to the pages shows as a diff of those files: after a deliberate one, write them again
with NETLIMITS_WRITE_GOLDEN=1 and review `git diff tests/unit/fixtures/expected/audit/`.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import io
import os

import pytest

from ansible_collections.netlimits.tcp.plugins.plugin_utils._report import audit_data as _audit_data
from ansible_collections.netlimits.tcp.plugins.plugin_utils._report import audit_render as _audit_render
from ansible_collections.netlimits.tcp.tests.unit.fixtures.audit_facts import golden_cases

EXPECTED = os.path.join(os.path.dirname(__file__), '..', '..', 'fixtures', 'expected', 'audit')
RENDERINGS = {'json': _audit_render.render_json, 'html': _audit_render.render_html, 'md': _audit_render.render_markdown}


def _expected(name, text):
    path = os.path.join(EXPECTED, name)
    if os.environ.get('NETLIMITS_WRITE_GOLDEN') == '1':
        with io.open(path, 'w', encoding='utf-8', newline='') as handle:
            handle.write(text)
    with io.open(path, 'r', encoding='utf-8', newline='') as handle:
        return handle.read()


@pytest.mark.parametrize('case', sorted(golden_cases()))
@pytest.mark.parametrize('kind', sorted(RENDERINGS))
def test_rendering_equals_the_golden_file(case, kind):
    data = _audit_data.build(**golden_cases()[case])
    text = RENDERINGS[kind](data)
    assert text == _expected('%s.%s' % (case, kind), text)


def test_every_golden_file_has_a_case():
    """No file is left over from a case that is gone (it would be compared with nothing)."""
    names = set('%s.%s' % (case, kind) for case in golden_cases() for kind in RENDERINGS)
    assert set(os.listdir(EXPECTED)) == names
