# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The README's proof (its first section, the collection's page on Galaxy) shows the benchmark as it was measured.

The figures are written in the README's prose; they must be those of docs/bench/effect-vm.json (make bench-effect
rewrites it), so a new run that changes them fails here until the README says what it measured. The chart is linked
by an absolute URL (Galaxy renders no relative image path) into this repository (galaxy.yml's repository), and the file
it names must exist here; the heading it links to must exist in docs/bench/effect.md.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import re

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BEGIN = '<!-- BEGIN proof'
END = '<!-- END proof -->'


def _read(*path):
    with open(os.path.join(ROOT, *path)) as handle:
        return handle.read()


def proof():
    text = _read('README.md')
    assert BEGIN in text and END in text, 'README.md lacks the proof markers'
    head, rest = text.split(BEGIN, 1)
    assert not re.search(r'^## ', head, re.M), 'the proof is not the README\'s first section'
    return ' '.join(rest.split(END, 1)[0].split())


def runs():
    with open(os.path.join(ROOT, 'docs', 'bench', 'effect-vm.json')) as handle:
        data = json.load(handle)
    return data, dict((run['run'], run) for run in data['runs'])


def _n(value):
    return '{:,}'.format(value)


def test_figures_are_the_measured_ones():
    text = proof()
    data, by_run = runs()
    untuned = by_run['untuned']
    tuned = [by_run['balanced'], by_run['server']]
    expected = [
        '%s requests' % _n(data['ab_n']),
        '`nf_conntrack_max` %s' % _n(untuned['conntrack_max']),
        'take %d s' % untuned['seconds'],
        '%s packets are dropped' % _n(untuned['conntrack_drops'] + untuned['conntrack_early_drops']),
        '%s requests wait a second or more' % _n(untuned['requests_1s_or_more']),
        'the longest %.1f s' % (untuned['max_ms'] / 1000.0),
        '`nf_conntrack_max` to %s' % '/'.join(sorted(set(_n(run['conntrack_max']) for run in tuned))),
        'takes %d to %d s' % (min(run['seconds'] for run in tuned), max(run['seconds'] for run in tuned)),
        'longer than %d ms' % max(run['max_ms'] for run in tuned),
        '`%s`' % ' '.join(data['ab'].split()[:5]),
        'kernel of its own (%s)' % '.'.join(data['kernel'].split('.')[:2]),
    ]
    missing = [phrase for phrase in expected if phrase not in text]
    assert not missing, 'README proof differs from docs/bench/effect-vm.json: %s' % missing
    assert all(run['failed'] == 0 and run['requests_1s_or_more'] == 0 for run in tuned)   # "nothing is dropped"
    assert all(run['conntrack_drops'] + run['conntrack_early_drops'] == 0 for run in tuned)


def test_chart_is_an_absolute_url_to_a_file_of_this_repository():
    text = proof()
    repository = yaml.safe_load(_read('galaxy.yml'))['repository'].rstrip('/')
    owner_name = repository.split('github.com/', 1)[1]
    images = re.findall(r'!\[[^\]]*\]\(([^)\s]+)\)', text)
    assert images, 'the proof shows no picture'
    for url in images:
        prefix = 'https://raw.githubusercontent.com/%s/main/' % owner_name
        assert url.startswith(prefix), url
        assert os.path.isfile(os.path.join(ROOT, url[len(prefix):])), url


def _slug(heading):
    """GitHub's anchor of a Markdown heading: lower case, punctuation dropped, spaces to hyphens."""
    return re.sub(r'[^\w\- ]', '', heading.strip().lower()).replace(' ', '-')


def test_links_into_the_repository_exist():
    text = proof()
    repository = yaml.safe_load(_read('galaxy.yml'))['repository'].rstrip('/')
    links = re.findall(r'\]\((%s/blob/main/[^)\s]+)\)' % re.escape(repository), text)
    assert links
    for url in links:
        path, anchor = (url[len(repository + '/blob/main/'):] + '#').split('#')[:2]
        assert os.path.isfile(os.path.join(ROOT, path)), url
        if anchor:
            headings = [_slug(line.lstrip('#')) for line in _read(path).splitlines() if line.startswith('#')]
            assert anchor in headings, url
